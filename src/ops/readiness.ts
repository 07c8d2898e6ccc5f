/**
 * /readyz: the node serves clients once its logs are recovered and its listeners bound
 * (the broker has started), it has applied its metadata log up to the high watermark it
 * knows and knows a quorum leader, and, as a broker, the controller has it registered and
 * unfenced in this run (its client listeners serve from then on). Each check is reported by name, so a probe's failure says which one.
 */
import type { BrokerView } from './broker-view.js';

export interface ReadinessCheck {
  name: 'started' | 'metadata-caught-up' | 'unfenced';
  ok: boolean;
  detail: string;
}

export function readiness(view: BrokerView | null): ReadinessCheck[] {
  if (view === null) return [{ name: 'started', ok: false, detail: 'recovering logs or binding listeners' }];
  const checks: ReadinessCheck[] = [{ name: 'started', ok: true, detail: 'logs recovered, listeners bound' }];
  const raft = view.quorum.raft;
  const leader = view.quorum.leaderId();
  const hw = raft.highWatermark();
  const applied = raft.appliedOffset();
  checks.push({
    name: 'metadata-caught-up',
    ok: leader >= 0 && applied >= hw,
    detail: leader < 0 ? 'no metadata quorum leader known' : `applied ${applied} of high watermark ${hw}`,
  });
  if (view.isBroker) {
    const registration = view.controller.image.brokers.get(view.nodeId);
    // The image may still hold the previous run's registration: serving says this run was unfenced.
    const serving = view.serving?.() ?? true;
    checks.push({
      name: 'unfenced',
      ok: registration !== undefined && !registration.fenced && serving,
      detail:
        registration === undefined
          ? 'not registered with the controller'
          : registration.fenced
            ? 'fenced'
            : !serving
              ? 'not yet caught up with the metadata log and unfenced since this start'
              : 'registered and unfenced',
    });
  }
  return checks;
}
