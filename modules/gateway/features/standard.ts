// The features a gateway is built with, in order. Status fields of a later
// feature replace an earlier one's of the same name, so a feature that brings
// a service (divert, OCPP) comes after `system`, whose placeholders it
// replaces.
//
// STANDARD_FEATURES is what every device build gets. FULL_FEATURES adds the
// MQTT claim, the session limit, the weekly scheduler, the energy history and
// Home Assistant discovery, which the Node host runs. On the device the list
// is chosen by role (hosts/moddable/<platform>/features.ts): GATEWAY_FEATURES,
// the standard list and all five, and ENERGY_FEATURES fit the ESP32 profile in both roles, the
// standalone one (controller and gateway in one heap) included, since the
// standard features and the gateway's wiring were written lean (docs/features.md,
// "Memory on the device").

import type { FeatureFactory } from '../feature';
import { claimsApiFeature } from './claims-api';
import { clientSettingsFeature } from './client-settings';
import { dataInputFeature } from './data-input';
import { divertFeature } from './divert';
import { energyFeature } from './energy';
import { evseFeature } from './evse';
import { haDiscoveryFeature } from './ha-discovery';
import { limitFeature } from './limit';
import { mqttClaimFeature } from './mqtt-claim';
import { overrideFeature } from './override';
import { schedulerFeature } from './scheduler';
import { shaperFeature } from './shaper';

export const STANDARD_FEATURES: readonly FeatureFactory[] = [evseFeature, dataInputFeature, overrideFeature, claimsApiFeature, clientSettingsFeature];

export const FULL_FEATURES: readonly FeatureFactory[] = [...STANDARD_FEATURES, mqttClaimFeature, limitFeature, schedulerFeature, energyFeature, haDiscoveryFeature];

/** The ESP32's list in both roles (the gateway role is the OpenEVSE WiFi module's shape): all of FULL_FEATURES. */
export const GATEWAY_FEATURES: readonly FeatureFactory[] = FULL_FEATURES;

/**
 * Solar divert and the current shaper (docs/energy.md): `npm start` and both
 * device roles (hosts/moddable/<platform>/features.ts) have them, after
 * GATEWAY_FEATURES, within the ESP32 profile's limits (docs/moddable.md).
 */
export const ENERGY_FEATURES: readonly FeatureFactory[] = [divertFeature, shaperFeature];
