/**
 * Lambda entry point of the webhook delivery (SQS batches from the rule that
 * takes every event of the bus). The configuration is parsed at module load:
 * a bad setting fails the cold start with one line naming the variable.
 */
import { loadDeliverConfig } from '../lib/deliver/config';
import { deliverHandlerFromConfig } from '../lib/deliver/handler';

export const handler = deliverHandlerFromConfig(loadDeliverConfig());
