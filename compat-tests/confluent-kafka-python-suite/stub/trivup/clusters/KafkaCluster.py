"""Stand-in for trivup's KafkaCluster: never started here (run.sh brings its own Gregor cluster)."""


class KafkaCluster(object):
    def __init__(self, **conf):
        raise RuntimeError("trivup is not available: set BROKERS to a running cluster (run.sh does)")
