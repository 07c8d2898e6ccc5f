"""Admin views of a consumer group from kafka-python's KafkaAdminClient and, when
available, librdkafka's AdminClient.list_groups (python3-confluent-kafka).

usage: groups_admin.py <bootstrap> <group>
Prints one JSON object: groups listed, the group's description (state, protocol,
members with their decoded assignments) and its committed offsets.
"""
import json
import sys

from kafka import KafkaAdminClient

bootstrap, group = sys.argv[1], sys.argv[2]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
out = {"listed": sorted([list(g) for g in admin.list_consumer_groups()])}
description = admin.describe_consumer_groups([group])[0]
members = []
for m in description.members:
    assignment = getattr(m.member_assignment, "assignment", None) or []
    members.append({
        "client_id": m.client_id,
        "client_host": m.client_host,
        "partitions": sorted(p for _, partitions in assignment for p in partitions),
    })
out["described"] = {
    "error_code": description.error_code,
    "state": description.state,
    "protocol_type": description.protocol_type,
    "protocol": description.protocol,
    "members": sorted(members, key=lambda m: m["partitions"]),
}
offsets = admin.list_consumer_group_offsets(group)
out["offsets"] = {str(tp.partition): o.offset for tp, o in sorted(offsets.items(), key=lambda kv: kv[0].partition)}
admin.close()

try:
    from confluent_kafka.admin import AdminClient
except ImportError:
    AdminClient = None
if AdminClient is not None:
    listed = AdminClient({"bootstrap.servers": bootstrap}).list_groups(group, timeout=10)
    out["librdkafka"] = [{"id": g.id, "state": g.state, "protocol_type": g.protocol_type, "protocol": g.protocol,
                          "members": len(g.members)} for g in listed]
print(json.dumps(out))
