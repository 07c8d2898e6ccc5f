import t from 'tap';
import { randomBytes } from 'node:crypto';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { MetadataImage } from './image.js';
import { imageToRecords } from './image-records.js';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from './records.js';
import { describeAcls, planAclCreations, planAclDeletions } from './acl-changes.js';
import { AclOperation as Op, PatternType, PermissionType, ResourceType } from './acl-types.js';
import type { AclBindingFilter } from './acl-filters.js';

const newId = () => randomUuid(randomBytes);

function apply(image: MetadataImage, records: MetadataRecord[]): void {
  for (const r of records) image.apply(decodeMetadataRecord(encodeMetadataRecord(r)), image.lastAppliedOffset + 1);
}

const base = {
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: PermissionType.ALLOW,
};
const ANY: AclBindingFilter = {
  resourceType: ResourceType.ANY,
  resourceName: null,
  patternType: PatternType.ANY,
  principal: null,
  host: null,
  operation: Op.ANY,
  permissionType: PermissionType.ANY,
};

t.test('creations: validated as Kafka, stored once, through the metadata log and snapshots', async (t) => {
  const image = new MetadataImage();
  const { results, records } = planAclCreations(
    image.acls,
    [
      base,
      base,
      { ...base, patternType: PatternType.MATCH },
      { ...base, operation: Op.ANY },
      { ...base, permissionType: PermissionType.ANY },
      { ...base, resourceName: '' },
      { ...base, resourceType: ResourceType.CLUSTER, resourceName: 'other' },
      { ...base, principal: 'alice' },
      { ...base, resourceName: 'pay-', patternType: PatternType.PREFIXED, operation: Op.WRITE },
    ],
    newId,
  );
  t.same(
    results.map((r) => r.errorCode),
    [0, 0, 42, 42, 42, 42, 42, 42, 0].map((c) => (c === 42 ? ErrorCode.INVALID_REQUEST : c)),
  );
  t.match(results[7]?.errorMessage, /Could not parse principal/);
  t.equal(records.length, 2, 'the duplicate is not stored twice');
  apply(image, records);
  t.equal(image.acls.size, 2);
  const again = planAclCreations(image.acls, [base], newId);
  t.equal(again.records.length, 0, 'an existing ACL is accepted without a record');

  const copy = new MetadataImage();
  apply(copy, imageToRecords(image));
  t.same([...copy.acls.all()], [...image.acls.all()], 'a snapshot carries the ACLs');
});

t.test('describe and delete with filters', async (t) => {
  const image = new MetadataImage();
  apply(
    image,
    planAclCreations(
      image.acls,
      [
        base,
        { ...base, principal: 'User:bob', operation: Op.WRITE },
        { ...base, resourceName: 'ord', patternType: PatternType.PREFIXED },
        { ...base, resourceName: '*' },
        { ...base, resourceType: ResourceType.GROUP, resourceName: 'g1' },
      ],
      newId,
    ).records,
  );
  t.equal(describeAcls(image.acls, ANY).length, 4, 'grouped by resource pattern');
  const literalOrders = describeAcls(image.acls, {
    ...ANY,
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
  });
  t.equal(literalOrders.length, 1);
  t.equal(literalOrders[0]?.acls.length, 2);
  const matching = describeAcls(image.acls, {
    ...ANY,
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.MATCH,
  });
  t.same(matching.map((r) => r.resourceName).sort(), ['*', 'ord', 'orders'], 'MATCH: literal, wildcard, prefixes');
  t.equal(describeAcls(image.acls, { ...ANY, principal: 'User:bob' }).length, 1);

  const { results, records } = planAclDeletions(image.acls, [
    { ...ANY, principal: 'User:bob' },
    { ...ANY, resourceType: ResourceType.GROUP },
    { ...ANY, operation: Op.UNKNOWN },
  ]);
  t.same(
    results.map((r) => [r.errorCode, r.matching.length]),
    [
      [0, 1],
      [0, 1],
      [ErrorCode.INVALID_REQUEST, 0],
    ],
  );
  apply(image, records);
  t.equal(image.acls.size, 3);
});
