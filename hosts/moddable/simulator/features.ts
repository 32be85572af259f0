// The gateway features this build composes, by role (main.ts picks the list at
// boot; both are module-level, in flash). A feature that does not fit the
// ESP32's memory (measured by test/node/moddable/esp32-profile.test.ts) is left
// out of a role's list here (docs/moddable.md, "Features by role"); one no role
// has is left out of the build too, its modules excluded from the esp32/*
// block of manifest.json with "~" (docs/moddable.md, "Leaving a feature out").
//
// OCPP as on the device (esp32/features.ts), idle until `ocpp_enabled` is set.
// The simulator cannot restart itself, so an OCPP Reset is answered and
// logged, and the simulator keeps running.

import type { FeatureFactory } from '../../../modules/gateway/feature';
import { ENERGY_FEATURES, GATEWAY_FEATURES } from '../../../modules/gateway/features/standard';
import { ocppFeature } from '../../../modules/gateway/features/ocpp';
import { moddableWebSocketConnect } from '../ocpp-socket';

const ocpp = ocppFeature({ connect: moddableWebSocketConnect(), queueBound: 30 });

export const features: { readonly standalone: readonly FeatureFactory[]; readonly gateway: readonly FeatureFactory[] } = {
  standalone: [...GATEWAY_FEATURES, ...ENERGY_FEATURES, ocpp],
  gateway: [...GATEWAY_FEATURES, ...ENERGY_FEATURES, ocpp],
};
