"""
A read-process-write pipeline with confluent-kafka (librdkafka) written for broker failures, as
confluent-kafka's transactional examples handle errors: input 'in'-0 to 'out', every chunk of up
to 5 records in one transaction with the consumer offset (send_offsets_to_transaction), every fourth
attempt aborted on purpose and redone. An error whose txn_requires_abort() is set aborts the
transaction and the chunk is redone; a retriable commit error retries the commit; any other error
ends the incarnation: a new Producer (init_transactions, which waits for the previous transaction to
end and fences the old epoch) and a new Consumer assigned at the committed offset read after it.
Usage: txn_failover_pipeline.py BOOTSTRAP TRANSACTIONAL_ID GROUP EXPECTED
Talks to the test on stdio: before each commit it prints 'precommit N' and waits for a line on stdin
(the test may kill a broker first); after each commit 'committed POSITION'; at the end 'done JSON'.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, txn_id, group, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
stats = {'commits': 0, 'aborts': 0, 'incarnations': 0, 'errors': []}
CHUNK = 5
DEADLINE = time.time() + 240


def say(line):
    print(line, flush=True)


def wait_for_go():
    say('precommit %d' % stats['commits'])
    if sys.stdin.readline().strip() != 'go':
        sys.exit(3)


class Incarnation:
    def __init__(self):
        stats['incarnations'] += 1
        self.producer = Producer({
            'bootstrap.servers': bootstrap,
            'transactional.id': txn_id,
            'transaction.timeout.ms': 30000,
            'linger.ms': 0,
            'message.timeout.ms': 30000,
        })
        self.producer.init_transactions(60)
        self.consumer = Consumer({
            'bootstrap.servers': bootstrap,
            'group.id': group,
            'enable.auto.commit': False,
            'auto.offset.reset': 'earliest',
            'isolation.level': 'read_committed',
        })
        committed = self.consumer.committed([TopicPartition('in', 0)], timeout=30)[0].offset
        self.position = committed if committed >= 0 else 0
        self.consumer.assign([TopicPartition('in', 0, self.position)])
        self.attempts = 0

    def close(self):
        try:
            self.consumer.close()
        except Exception:
            pass

    def commit(self):
        for _ in range(10):
            try:
                self.producer.commit_transaction(30)
                return
            except KafkaException as e:
                if not e.args[0].retriable():
                    raise
        raise RuntimeError('commit_transaction kept failing with retriable errors')

    def transact(self, chunk):
        end = chunk[-1].offset() + 1
        for _ in range(8):
            try:
                self.producer.begin_transaction()
                for m in chunk:
                    self.producer.produce('out', value=m.value(), partition=0)
                self.producer.send_offsets_to_transaction(
                    [TopicPartition('in', 0, end)], self.consumer.consumer_group_metadata(), 30)
                self.attempts += 1
                if self.attempts % 4 == 0:
                    self.producer.abort_transaction(30)
                    stats['aborts'] += 1
                    continue
                wait_for_go()
                self.commit()
                self.position = end
                stats['commits'] += 1
                say('committed %d' % end)
                return
            except KafkaException as e:
                err = e.args[0]
                stats['errors'].append(str(err))
                if not err.txn_requires_abort():
                    raise
                self.producer.abort_transaction(30)
                stats['aborts'] += 1
        raise RuntimeError('a chunk could not be committed in 8 attempts')

    def run(self):
        pending = []
        while self.position < expected and time.time() < DEADLINE:
            for m in self.consumer.consume(num_messages=CHUNK, timeout=0.5):
                if m.error() is None and m.offset() >= self.position:
                    pending.append(m)
            while pending and (len(pending) >= CHUNK or pending[-1].offset() + 1 >= expected):
                chunk, pending = pending[:CHUNK], pending[CHUNK:]
                self.transact(chunk)


while time.time() < DEADLINE and stats['incarnations'] < 10:
    incarnation = None
    try:
        incarnation = Incarnation()
        incarnation.run()
        if incarnation.position >= expected:
            break
    except Exception as e:  # fatal for this incarnation: start again from the committed state
        stats['errors'].append('incarnation ended: %s' % e)
    finally:
        if incarnation is not None:
            incarnation.close()
say('done ' + json.dumps(stats))
