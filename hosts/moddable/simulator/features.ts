// The gateway features this build composes. A feature that does not fit the
// ESP32's memory (measured by test/node/moddable/esp32-profile.test.ts) is left
// out here, in the esp32 folder only, and its modules excluded from the esp32/*
// block of manifest.json with "~" (docs/moddable.md, "Leaving a feature out").
//
// OCPP as on the device (esp32/features.ts), idle until `ocpp_enabled` is set.
// The simulator cannot restart itself, so an OCPP Reset is answered and
// logged, and the simulator keeps running.

import type { FeatureFactory } from '../../../modules/gateway/feature';
import { FULL_FEATURES } from '../../../modules/gateway/features/standard';
import { ocppFeature } from '../../../modules/gateway/features/ocpp';
import { moddableWebSocketConnect } from '../ocpp-socket';

export const features: readonly FeatureFactory[] = [...FULL_FEATURES, ocppFeature({ connect: moddableWebSocketConnect(), queueBound: 30 })];
