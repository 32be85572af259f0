// getenv for the desktop simulator: lets one simulator build run as several
// instances side by side (each with its own port, preferences and role), which
// build-time `mc/config` values cannot do. Device builds never include this.

#include "xsmc.h"
#include <stdlib.h>

void xs_environment_get(xsMachine *the)
{
	char name[64];
	xsmcToStringBuffer(xsArg(0), name, sizeof(name));
	const char *value = getenv(name);
	if (value)
		xsmcSetString(xsResult, (char *)value);
}
