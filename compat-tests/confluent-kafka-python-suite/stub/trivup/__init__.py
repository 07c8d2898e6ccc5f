"""Stand-in for trivup, which is not packaged by Debian: run.sh always sets BROKERS, so the
suite's conftest uses its ByoFixture and only imports trivup (tests/integration/cluster_fixture.py)."""
