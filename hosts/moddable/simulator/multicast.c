// Whether this simulator build's `socket` module can join a multicast group,
// which the mDNS responder needs: only the lin socket that
// tools/simulator-socket.mjs makes from the SDK's (manifest_socket.json)
// defines the marker. A build without it (mcconfig by hand without running the
// tool, mac, win) keeps the SDK's socket; on Linux that one refuses every
// multicast address, and the failed socket it leaves behind closes fd 0 when it
// is collected (its descriptor field is still the calloc'd 0), so the responder
// is not even tried there.

#include "xsmc.h"

#if defined(__linux__)
extern const int evseSocketMulticast __attribute__((weak));
#endif

void xs_multicast_available(xsMachine *the)
{
#if defined(__linux__)
	xsmcSetBoolean(xsResult, (&evseSocketMulticast != NULL) && evseSocketMulticast);
#else
	xsmcSetBoolean(xsResult, 0);
#endif
}
