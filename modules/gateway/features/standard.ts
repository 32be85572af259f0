// The features a full gateway is built with, in order. Status fields of a
// later feature replace an earlier one's of the same name, so a feature that
// brings a service (divert, OCPP) comes after `system`, whose placeholders it
// replaces. A device build short of memory may pass a shorter list.

import type { FeatureFactory } from '../feature';
import { claimsApiFeature } from './claims-api';
import { clientSettingsFeature } from './client-settings';
import { dataInputFeature } from './data-input';
import { evseFeature } from './evse';
import { limitFeature } from './limit';
import { overrideFeature } from './override';
import { schedulerFeature } from './scheduler';

export const STANDARD_FEATURES: readonly FeatureFactory[] = [evseFeature, dataInputFeature, overrideFeature, claimsApiFeature, limitFeature, schedulerFeature, clientSettingsFeature];
