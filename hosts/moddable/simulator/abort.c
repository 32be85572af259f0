// What an abort of the XS machine does in the desktop simulator: the process
// exits, as a device restarts. An ESP32 release build restarts on any abort
// (fxAbort ends in c_exit, an esp_restart), but mcsim's own fxAbort prints
// "XS abort: …", unloads the app and opens an alert, while the process lives
// on: a charger whose heap ran full stopped answering HTTP, MQTT and OCPP with
// nothing to say so but one line (the ESP32 profile runs with OCPP that never
// ended, docs/moddable.md). Called through the SDK's abort hook (the
// `xs.abortHook` define of the simulator platforms in manifest.json, and
// abort.js, which main.ts installs), so it is reached for a full heap, an
// unhandled exception or rejection; stack overflows never call the hook.
//
// No allocation: a full heap is one reason to be here.

#include "xsmc.h"
#include <stdio.h>
#include <stdlib.h>

/** The exit status: EX_SOFTWARE (sysexits.h), "an internal software error". */
#define ABORT_EXIT 70

void xs_abort_exit(xsMachine *the)
{
	char reason[64] = "abort";
	if (xsmcArgc > 0 && xsmcTypeOf(xsArg(0)) == xsStringType)
		xsmcToStringBuffer(xsArg(0), reason, sizeof(reason));
	fprintf(stderr, "evse: the XS machine aborted (%s): the simulator exits with status %d, as a device restarts\n", reason, ABORT_EXIT);
	fflush(stdout);
	fflush(stderr);
	_Exit(ABORT_EXIT);
}
