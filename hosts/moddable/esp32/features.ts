// The gateway features this build composes, by role (main.ts picks the list at
// boot; both are module-level, in flash). A feature that does not fit the
// ESP32's memory (measured by test/node/moddable/esp32-profile.test.ts) is left
// out of a role's list here (docs/moddable.md, "Features by role"); one no role
// has is left out of the build too, its modules excluded from the esp32/*
// block of manifest.json with "~" (docs/moddable.md, "Leaving a feature out").
//
// OCPP is composed but idle until `ocpp_enabled` is set (docs/ocpp.md, "On the
// device"): off, it is one small object; its charge point is made when
// switched on. ws:// only: wss:// needs the SDK's TLS (SecureSocket), which
// this build leaves out for its RAM. Its offline queue is bounded to 30
// messages (about 21 KB of NVS).

import type { FeatureFactory } from '../../../modules/gateway/feature';
import { ENERGY_FEATURES, GATEWAY_FEATURES } from '../../../modules/gateway/features/standard';
import { ocppFeature } from '../../../modules/gateway/features/ocpp';
import { moddableWebSocketConnect } from '../ocpp-socket';
import { platform } from './platform';

const ocpp = ocppFeature({ connect: moddableWebSocketConnect(), queueBound: 30, restart: () => platform.restart() });

export const features: { readonly standalone: readonly FeatureFactory[]; readonly gateway: readonly FeatureFactory[] } = {
  standalone: [...GATEWAY_FEATURES, ...ENERGY_FEATURES, ocpp],
  gateway: [...GATEWAY_FEATURES, ...ENERGY_FEATURES, ocpp],
};
