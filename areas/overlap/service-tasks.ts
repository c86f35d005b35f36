// The handlers of the adjudication's service tasks: each input parsed and typed from its spec
// (service-task-specs.ts), then handed to the service's step.
import { typedServiceHandlers, type ServiceDeps, type ServiceHandlers } from '../../engine/activities/services.ts';
import { overlapServices } from './service-task-specs.ts';
import { prepareAdjudication, settleAdjudication, signSubmissions, tallyAdjudication } from './service.ts';

export function overlapServiceHandlers({ sql }: ServiceDeps): ServiceHandlers<typeof overlapServices> {
  return typedServiceHandlers(overlapServices, {
    prepareAdjudication: ({ adjudicationId }, { at }) => prepareAdjudication(sql, adjudicationId, at),
    signSubmissions: ({ adjudicationId, signatures }, { at }) => signSubmissions(sql, adjudicationId, signatures, at),
    tallyAdjudication: ({ adjudicationId, scores }, { at }) => tallyAdjudication(sql, adjudicationId, scores, at),
    settleAdjudication: ({ adjudicationId, winner, tieBrokenBy }, { key, at }) => settleAdjudication(sql, adjudicationId, { winner, tieBrokenBy: tieBrokenBy ?? null, key, at }),
  });
}
