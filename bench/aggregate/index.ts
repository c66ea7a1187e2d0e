/** bench/aggregate: pure math over raw samples (no I/O), tested against known values. */
export { mean, percentile, summarize, emptySummary, ratio } from './stats.ts';
export { LatencyHistogram } from './histogram.ts';
export { DeliveryAudit, SeqRecord, sumDeliveries } from './deliveries.ts';
export type { DeliveryTally, Recipient } from './deliveries.ts';
export { projectBandwidth, bytesPerClientPerSecond, PROJECTION_CLIENTS } from './projection.ts';
export { theoryLatency, longPollLatencies, publisherLegMs, HTTP_SEND_CONNECTIONS } from './theory.ts';
export type { TheoryPath, TheoryPublisher } from './theory.ts';
export { wireDirection, perDelivery, perClientPerSecond, addSplits, subtractSplits, splitTotal, zeroSplit } from './wire.ts';
