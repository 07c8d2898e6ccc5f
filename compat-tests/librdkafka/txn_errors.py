"""
The transactional errors a confluent-kafka (librdkafka) user meets, printed as one JSON line each.
Usage: txn_errors.py BOOTSTRAP CASE
  max-timeout  init_transactions with transaction.timeout.ms 120000 (the broker allows 60000)
  fenced       a second instance with the same transactional.id inits; the first commits
  timed-out    transaction.timeout.ms 3000 (librdkafka caps message.timeout.ms at it: 1000 timed the message out on a loaded CI machine); after producing prints "waiting" and reads a line from
               stdin (the test sends it once the coordinator has aborted), then commits
"""
import json
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, case = sys.argv[1], sys.argv[2]


def producer(transactional_id, **extra):
    config = {'bootstrap.servers': bootstrap, 'transactional.id': transactional_id, 'linger.ms': 0}
    config.update(extra)
    return Producer(config)


def report(step, error=None):
    if error is None:
        print(json.dumps({'step': step, 'ok': True}), flush=True)
        return
    e = error.args[0]
    print(json.dumps({'step': step, 'ok': False, 'name': e.name(), 'fatal': e.fatal(),
                      'abortable': e.txn_requires_abort(), 'text': e.str()}), flush=True)


def attempt(step, action):
    try:
        action()
        report(step)
    except KafkaException as error:
        report(step, error)


if case == 'max-timeout':
    attempt('init', lambda: producer('errors-max', **{'transaction.timeout.ms': 120000}).init_transactions(20))
elif case == 'fenced':
    old = producer('errors-fenced')
    old.init_transactions(20)
    old.begin_transaction()
    old.produce('errors', b'old')
    old.flush(10)
    attempt('new-init', lambda: producer('errors-fenced').init_transactions(20))
    attempt('old-commit', lambda: old.commit_transaction(20))
elif case == 'timed-out':
    p = producer('errors-timed-out', **{'transaction.timeout.ms': 3000})
    p.init_transactions(20)
    p.begin_transaction()
    p.produce('errors', b'late')
    p.flush(10)
    print(json.dumps({'step': 'waiting'}), flush=True)
    sys.stdin.readline()
    attempt('commit', lambda: p.commit_transaction(20))
