/**
 * The controller id in a Metadata answer is always one of the brokers listed in it (kafkajs fails
 * an admin request at once on an unlisted one: "Broker N not found in the cached metadata").
 */
import t from 'tap';
import { advertisedControllerId } from './03-metadata.js';

t.test('this broker when it is listed', async (t) => {
  t.equal(advertisedControllerId([1, 2, 4], 4, 2), 4);
});

t.test('the active controller when this broker is not listed yet', async (t) => {
  t.equal(advertisedControllerId([1, 2, 3], 4, 2), 2);
});

t.test('a listed broker when neither this one nor the active controller is listed', async (t) => {
  t.equal(advertisedControllerId([1, 3], 4, 2), 1);
});

t.test('the active controller when no broker is listed', async (t) => {
  t.equal(advertisedControllerId([], 4, 2), 2);
});
