#!/usr/bin/env python3
"""Where a latency round's fetch round trips go, from the system calls of the broker's and the client's
main threads (issue 20, docs/benchmarks.md "End-to-end latency, session 22").

Record a round (the broker's pid, and latencygen's once it runs) with perf's syscall tracepoints, then:

    perf record -k CLOCK_MONOTONIC -p <broker pid>,<latencygen pid> -o round.data -e \\
      'syscalls:sys_enter_read,syscalls:sys_exit_read,syscalls:sys_enter_write,syscalls:sys_exit_write,\\
       syscalls:sys_enter_writev,syscalls:sys_exit_writev,syscalls:sys_enter_pwrite64,syscalls:sys_exit_pwrite64,\\
       syscalls:sys_enter_pread64,syscalls:sys_exit_pread64,syscalls:sys_enter_epoll_pwait,\\
       syscalls:sys_exit_epoll_pwait' -- sleep 7
    perf script -i round.data -F comm,pid,tid,time,event,trace > round.txt
    python3 bench/broker/fetch-trace.py round.txt <broker pid>

The broker's main thread is the thread whose id is its pid; the client's is the other process's busiest
thread. The consumer's connection is the socket each side writes the most record bytes to (broker) or reads
them from (client); the producer's is the one the broker reads the most from. Per fetch it splits the round
trip into: the request waiting unread in the broker (from the client's write to the broker's read), the
broker's work until its answer (read to write), the answer's write, its way into the client (to the
client's last read before its next request) and the client's time to the next request; and it counts the
Produce appends (pwrite64 of 100 KB or more) the broker made while the request waited unread.
Leaves out: fetches whose answer is written in pieces over several loop turns (counted from the first write).
"""
import bisect
import collections
import re
import sys

LINE = re.compile(r'^\s*\S+\s+(\d+)/(\d+)\s+([\d.]+):\s+syscalls:sys_(enter|exit)_(\w+):\s*(.*)$')


def parse(path):
    """Per thread: a list of (start, end, call, fd, result, pid)."""
    pending, calls = {}, collections.defaultdict(list)
    with open(path) as lines:
        for line in lines:
            m = LINE.match(line)
            if not m:
                continue
            pid, tid, at, side, call, rest = m.groups()
            tid, at = int(tid), float(at)
            if side == 'enter':
                fd = re.search(r'fd: (0x[0-9a-f]+)', rest)
                pending[tid] = (at, call, int(fd.group(1), 16) if fd else -1)
            elif tid in pending:
                start, name, fd = pending.pop(tid)
                result = int(rest, 16) if rest.startswith('0x') else int(rest)
                if result >= 1 << 63:
                    result -= 1 << 64
                calls[tid].append((start, at, name, fd, result, int(pid)))
    return calls


def busiest_fd(calls, names):
    total = collections.Counter()
    for _, _, name, fd, result, _ in calls:
        if name in names and result > 0:
            total[fd] += result
    return total.most_common(1)[0][0]


def quantiles(values):
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))] * 1000
    return 'p50 %7.3f  p90 %7.3f  p99 %7.3f  mean %7.3f ms' % (pick(.5), pick(.9), pick(.99), 1000 * sum(v) / len(v))


def main(path, broker_pid):
    calls = parse(path)
    broker = sorted(calls[broker_pid])
    client_tid = max((t for t in calls if calls[t][0][5] != broker_pid), key=lambda t: len(calls[t]))
    client = sorted(calls[client_tid])
    b_consumer = busiest_fd(broker, ('write', 'writev'))
    b_producer = busiest_fd(broker, ('read',))
    c_consumer = busiest_fd(client, ('read',))
    requests = [c for c in client if c[2] in ('write', 'writev') and c[3] == c_consumer]
    b_reads = [c[1] for c in broker if c[2] == 'read' and c[3] == b_consumer and c[4] > 0]
    b_writes = [c for c in broker if c[2] in ('write', 'writev') and c[3] == b_consumer]
    b_write_starts = [c[0] for c in b_writes]
    c_reads = [c[1] for c in client if c[2] == 'read' and c[3] == c_consumer and c[4] > 0]
    appends = [c[0] for c in broker if c[2] == 'pwrite64' and c[4] >= 100_000]
    parts = collections.defaultdict(list)
    ahead = collections.Counter()
    for k in range(len(requests) - 1):
        sent, next_sent = requests[k][0], requests[k + 1][0]
        i = bisect.bisect_left(b_reads, sent)
        if i == len(b_reads):
            break
        read = b_reads[i]
        j = bisect.bisect_left(b_write_starts, read)
        if j == len(b_writes):
            break
        answer = b_writes[j]
        m = bisect.bisect_left(c_reads, next_sent) - 1
        if m < 0 or c_reads[m] < answer[1]:
            continue
        parts['request unread in the broker'].append(read - sent)
        parts['broker: read to answer'].append(answer[0] - read)
        parts['broker: answer write'].append(answer[1] - answer[0])
        parts['answer into the client'].append(c_reads[m] - answer[1])
        parts['client to next request'].append(next_sent - c_reads[m])
        parts['round trip'].append(next_sent - sent)
        ahead[min(10, bisect.bisect_left(appends, read) - bisect.bisect_left(appends, sent))] += 1
    n = sum(ahead.values())
    print(f'{n} fetches (broker fds: consumer {b_consumer}, producer {b_producer}; client fd {c_consumer})')
    for name, values in parts.items():
        print(f'  {name:30s} {quantiles(values)}')
    print('  appends ahead of a fetch: ' + ', '.join(
        f'{k}{"+" if k == 10 else ""}: {100 * v / n:.1f}%' for k, v in sorted(ahead.items())))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
