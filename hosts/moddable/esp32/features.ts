// The gateway features this build composes. A feature that does not fit the
// ESP32's memory (measured by test/node/moddable/esp32-profile.test.ts) is left
// out here, in the esp32 folder only, and its modules excluded from the esp32/*
// block of manifest.json with "~" (docs/moddable.md, "Leaving a feature out").

import type { FeatureFactory } from '../../../modules/gateway/feature';
import { STANDARD_FEATURES } from '../../../modules/gateway/features/standard';

export const features: readonly FeatureFactory[] = STANDARD_FEATURES;
