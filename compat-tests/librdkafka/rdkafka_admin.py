"""
librdkafka's own admin API (2.0+), called through ctypes: the group and record admin calls that
Debian's python3-confluent-kafka 1.7.0 does not wrap although the librdkafka 2.0.2 beside it has
them (ListConsumerGroups with a state filter, DescribeConsumerGroups, List/Alter/Delete consumer
group offsets, DeleteRecords). The requests on the wire are librdkafka's, as a C program's would be.

Results are plain Python values: partitions as [topic, partition, offset, error name or None].
`available()` is False when the shared library is missing or older than these calls.
"""
import ctypes as C

_P = C.c_void_p


class _TopicPartition(C.Structure):
    _fields_ = [('topic', C.c_char_p), ('partition', C.c_int32), ('offset', C.c_int64),
                ('metadata', C.c_void_p), ('metadata_size', C.c_size_t), ('opaque', C.c_void_p),
                ('err', C.c_int), ('_private', C.c_void_p)]


class _PartitionList(C.Structure):
    _fields_ = [('cnt', C.c_int), ('size', C.c_int), ('elems', C.POINTER(_TopicPartition))]


_PL = C.POINTER(_PartitionList)
_SIZE = C.POINTER(C.c_size_t)
_SIGNATURES = {
    'rd_kafka_conf_new': (_P, []),
    'rd_kafka_conf_set': (C.c_int, [_P, C.c_char_p, C.c_char_p, C.c_char_p, C.c_size_t]),
    'rd_kafka_new': (_P, [C.c_int, _P, C.c_char_p, C.c_size_t]),
    'rd_kafka_destroy': (None, [_P]),
    'rd_kafka_queue_new': (_P, [_P]),
    'rd_kafka_queue_destroy': (None, [_P]),
    'rd_kafka_queue_poll': (_P, [_P, C.c_int]),
    'rd_kafka_event_destroy': (None, [_P]),
    'rd_kafka_event_error': (C.c_int, [_P]),
    'rd_kafka_event_error_string': (C.c_char_p, [_P]),
    'rd_kafka_err2name': (C.c_char_p, [C.c_int]),
    'rd_kafka_error_name': (C.c_char_p, [_P]),
    'rd_kafka_AdminOptions_new': (_P, [_P, C.c_int]),
    'rd_kafka_AdminOptions_destroy': (None, [_P]),
    'rd_kafka_AdminOptions_set_match_consumer_group_states': (_P, [_P, C.POINTER(C.c_int), C.c_size_t]),
    'rd_kafka_topic_partition_list_new': (_PL, [C.c_int]),
    'rd_kafka_topic_partition_list_destroy': (None, [_PL]),
    'rd_kafka_topic_partition_list_add': (C.POINTER(_TopicPartition), [_PL, C.c_char_p, C.c_int32]),
    'rd_kafka_group_result_name': (C.c_char_p, [_P]),
    'rd_kafka_group_result_error': (_P, [_P]),
    'rd_kafka_group_result_partitions': (_PL, [_P]),
    'rd_kafka_ListConsumerGroups': (None, [_P, _P, _P]),
    'rd_kafka_event_ListConsumerGroups_result': (_P, [_P]),
    'rd_kafka_ListConsumerGroups_result_valid': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_ListConsumerGroups_result_errors': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_ConsumerGroupListing_group_id': (C.c_char_p, [_P]),
    'rd_kafka_ConsumerGroupListing_is_simple_consumer_group': (C.c_int, [_P]),
    'rd_kafka_ConsumerGroupListing_state': (C.c_int, [_P]),
    'rd_kafka_DescribeConsumerGroups': (None, [_P, C.POINTER(C.c_char_p), C.c_size_t, _P, _P]),
    'rd_kafka_event_DescribeConsumerGroups_result': (_P, [_P]),
    'rd_kafka_DescribeConsumerGroups_result_groups': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_ConsumerGroupDescription_group_id': (C.c_char_p, [_P]),
    'rd_kafka_ConsumerGroupDescription_error': (_P, [_P]),
    'rd_kafka_ConsumerGroupDescription_state': (C.c_int, [_P]),
    'rd_kafka_ConsumerGroupDescription_member_count': (C.c_size_t, [_P]),
    'rd_kafka_ListConsumerGroupOffsets_new': (_P, [C.c_char_p, _PL]),
    'rd_kafka_ListConsumerGroupOffsets_destroy': (None, [_P]),
    'rd_kafka_ListConsumerGroupOffsets': (None, [_P, C.POINTER(_P), C.c_size_t, _P, _P]),
    'rd_kafka_event_ListConsumerGroupOffsets_result': (_P, [_P]),
    'rd_kafka_ListConsumerGroupOffsets_result_groups': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_AlterConsumerGroupOffsets_new': (_P, [C.c_char_p, _PL]),
    'rd_kafka_AlterConsumerGroupOffsets_destroy': (None, [_P]),
    'rd_kafka_AlterConsumerGroupOffsets': (None, [_P, C.POINTER(_P), C.c_size_t, _P, _P]),
    'rd_kafka_event_AlterConsumerGroupOffsets_result': (_P, [_P]),
    'rd_kafka_AlterConsumerGroupOffsets_result_groups': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_DeleteConsumerGroupOffsets_new': (_P, [C.c_char_p, _PL]),
    'rd_kafka_DeleteConsumerGroupOffsets_destroy': (None, [_P]),
    'rd_kafka_DeleteConsumerGroupOffsets': (None, [_P, C.POINTER(_P), C.c_size_t, _P, _P]),
    'rd_kafka_event_DeleteConsumerGroupOffsets_result': (_P, [_P]),
    'rd_kafka_DeleteConsumerGroupOffsets_result_groups': (C.POINTER(_P), [_P, _SIZE]),
    'rd_kafka_DeleteRecords_new': (_P, [_PL]),
    'rd_kafka_DeleteRecords_destroy': (None, [_P]),
    'rd_kafka_DeleteRecords': (None, [_P, C.POINTER(_P), C.c_size_t, _P, _P]),
    'rd_kafka_event_DeleteRecords_result': (_P, [_P]),
    'rd_kafka_DeleteRecords_result_offsets': (_PL, [_P]),
}
# rd_kafka_admin_op_t and rd_kafka_consumer_group_state_t, as librdkafka 2.0's rdkafka.h numbers them.
_OP = {'DeleteRecords': 6, 'DeleteConsumerGroupOffsets': 8, 'ListConsumerGroups': 12,
       'DescribeConsumerGroups': 13, 'ListConsumerGroupOffsets': 14, 'AlterConsumerGroupOffsets': 15}
STATES = ['Unknown', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty']


def _load():
    try:
        lib = C.CDLL('librdkafka.so.1')
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        return lib
    except (OSError, AttributeError):
        return None


_lib = _load()


def available():
    return _lib is not None


class AdminError(Exception):
    pass


def _text(raw):
    return raw.decode() if raw is not None else None


def _error_name(error):
    return _text(_lib.rd_kafka_error_name(error)) if error else None


def _partitions(plist):
    if not plist:
        return None
    items = plist.contents
    return [[_text(items.elems[i].topic), items.elems[i].partition, items.elems[i].offset,
             _text(_lib.rd_kafka_err2name(items.elems[i].err)) if items.elems[i].err else None]
            for i in range(items.cnt)]


class Admin:
    def __init__(self, bootstrap):
        conf = _lib.rd_kafka_conf_new()
        err = C.create_string_buffer(512)
        if _lib.rd_kafka_conf_set(conf, b'bootstrap.servers', bootstrap.encode(), err, 512) != 0:
            raise AdminError(err.value.decode())
        self._rk = _lib.rd_kafka_new(0, conf, err, 512)
        if not self._rk:
            raise AdminError(err.value.decode())
        self._queue = _lib.rd_kafka_queue_new(self._rk)

    def close(self):
        _lib.rd_kafka_queue_destroy(self._queue)
        _lib.rd_kafka_destroy(self._rk)

    def _call(self, op, *args, options=None):
        """Runs one admin call and returns (event, its result), raising AdminError on a request-level error."""
        opts = options or _lib.rd_kafka_AdminOptions_new(self._rk, _OP[op])
        getattr(_lib, 'rd_kafka_' + op)(self._rk, *args, opts, self._queue)
        event = _lib.rd_kafka_queue_poll(self._queue, 30_000)
        _lib.rd_kafka_AdminOptions_destroy(opts)
        if not event:
            raise AdminError(op + ' timed out')
        code = _lib.rd_kafka_event_error(event)
        if code:
            message = '%s: %s' % (_text(_lib.rd_kafka_err2name(code)), _text(_lib.rd_kafka_event_error_string(event)))
            _lib.rd_kafka_event_destroy(event)
            raise AdminError(message)
        return event, getattr(_lib, 'rd_kafka_event_%s_result' % op)(event)

    def list_groups(self, states=None):
        """[[group id, state, is simple]] sorted, and the errors; `states` filters (ListGroups v4)."""
        options = None
        if states is not None:
            options = _lib.rd_kafka_AdminOptions_new(self._rk, _OP['ListConsumerGroups'])
            wanted = (C.c_int * len(states))(*[STATES.index(s) for s in states])
            if _lib.rd_kafka_AdminOptions_set_match_consumer_group_states(options, wanted, len(states)):
                raise AdminError('bad state filter')
        event, result = self._call('ListConsumerGroups', options=options)
        count = C.c_size_t()
        valid = _lib.rd_kafka_ListConsumerGroups_result_valid(result, C.byref(count))
        groups = sorted([_text(_lib.rd_kafka_ConsumerGroupListing_group_id(valid[i])),
                         STATES[_lib.rd_kafka_ConsumerGroupListing_state(valid[i])],
                         bool(_lib.rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]))]
                        for i in range(count.value))
        errors = _lib.rd_kafka_ListConsumerGroups_result_errors(result, C.byref(count))
        names = [_error_name(errors[i]) for i in range(count.value)]
        _lib.rd_kafka_event_destroy(event)
        return groups, names

    def describe_groups(self, group_ids):
        """[{group, error, state, members}] in request order."""
        ids = (C.c_char_p * len(group_ids))(*[g.encode() for g in group_ids])
        event, result = self._call('DescribeConsumerGroups', ids, len(group_ids))
        count = C.c_size_t()
        groups = _lib.rd_kafka_DescribeConsumerGroups_result_groups(result, C.byref(count))
        out = [{'group': _text(_lib.rd_kafka_ConsumerGroupDescription_group_id(g)),
                'error': _error_name(_lib.rd_kafka_ConsumerGroupDescription_error(g)),
                'state': STATES[_lib.rd_kafka_ConsumerGroupDescription_state(g)],
                'members': _lib.rd_kafka_ConsumerGroupDescription_member_count(g)}
               for g in (groups[i] for i in range(count.value))]
        _lib.rd_kafka_event_destroy(event)
        return out

    def _group_call(self, op, group_id, partitions):
        """[group id, group error, partitions] of a call on one group's offsets."""
        plist = self._partition_list(partitions)
        request = getattr(_lib, 'rd_kafka_%s_new' % op)(group_id.encode(), plist)
        if plist:
            _lib.rd_kafka_topic_partition_list_destroy(plist)
        event, result = self._call(op, (_P * 1)(request), 1)
        getattr(_lib, 'rd_kafka_%s_destroy' % op)(request)
        count = C.c_size_t()
        groups = getattr(_lib, 'rd_kafka_%s_result_groups' % op)(result, C.byref(count))
        g = groups[0]
        out = [_text(_lib.rd_kafka_group_result_name(g)), _error_name(_lib.rd_kafka_group_result_error(g)),
               _partitions(_lib.rd_kafka_group_result_partitions(g))]
        _lib.rd_kafka_event_destroy(event)
        return out

    def list_offsets(self, group_id, partitions=None):
        return self._group_call('ListConsumerGroupOffsets', group_id, partitions)

    def alter_offsets(self, group_id, partitions):
        return self._group_call('AlterConsumerGroupOffsets', group_id, partitions)

    def delete_offsets(self, group_id, partitions):
        return self._group_call('DeleteConsumerGroupOffsets', group_id, partitions)

    def delete_records(self, partitions):
        plist = self._partition_list(partitions)
        request = _lib.rd_kafka_DeleteRecords_new(plist)
        _lib.rd_kafka_topic_partition_list_destroy(plist)
        event, result = self._call('DeleteRecords', (_P * 1)(request), 1)
        _lib.rd_kafka_DeleteRecords_destroy(request)
        out = _partitions(_lib.rd_kafka_DeleteRecords_result_offsets(result))
        _lib.rd_kafka_event_destroy(event)
        return out

    @staticmethod
    def _partition_list(partitions):
        """[[topic, partition] or [topic, partition, offset]] as an rd_kafka_topic_partition_list_t."""
        if partitions is None:
            return None
        plist = _lib.rd_kafka_topic_partition_list_new(len(partitions))
        for p in partitions:
            entry = _lib.rd_kafka_topic_partition_list_add(plist, p[0].encode(), p[1])
            if len(p) > 2:
                entry.contents.offset = p[2]
        return plist
