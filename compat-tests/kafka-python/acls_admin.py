"""ACL admin calls from kafka-python's KafkaAdminClient against a broker with no authorizer.

usage: acls_admin.py <bootstrap>
Prints one JSON object: what create_acls, describe_acls and delete_acls reported (error class
names), and whether the admin client could still list topics afterwards (the connection lived).
"""
import json
import sys

from kafka import KafkaAdminClient
from kafka.admin import ACL, ACLFilter, ACLOperation, ACLPermissionType, ResourcePattern, ResourcePatternFilter, ResourceType, ACLResourcePatternType



def name_of(err):
    # kafka-python reports some errors as the class, others as an instance
    return err.__name__ if isinstance(err, type) else type(err).__name__


bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
out = {}
acl = ACL(
    principal="User:alice",
    host="*",
    operation=ACLOperation.WRITE,
    permission_type=ACLPermissionType.ALLOW,
    resource_pattern=ResourcePattern(ResourceType.TOPIC, "orders", ACLResourcePatternType.LITERAL),
)
created = admin.create_acls([acl])
out["create_succeeded"] = len(created["succeeded"])
out["create_failed"] = [name_of(err) for _, err in created["failed"]]
flt = ACLFilter(
    principal=None,
    host=None,
    operation=ACLOperation.ANY,
    permission_type=ACLPermissionType.ANY,
    resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
)
try:
    admin.describe_acls(flt)
    out["describe"] = "ok"
except Exception as err:  # kafka-python raises the broker's error
    out["describe"] = name_of(err)
deleted = admin.delete_acls([flt])
out["delete"] = [name_of(err) for _, _, err in deleted]
out["topics_after"] = isinstance(admin.list_topics(), list)
admin.close()
print(json.dumps(out))
