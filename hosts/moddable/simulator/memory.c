// Live XS memory of the simulator's machine after a full collection, for the
// ESP32 memory profile test. The "instruments:" lines of an -i build sample
// the slot and chunk heaps at an arbitrary point of the allocation cycle; a
// fixed heap (the ESP32's) is collected only when it is full, so those samples
// include garbage waiting for collection. This reports what survives a
// collection: what the firmware really holds.

#include "xsAll.h"
#include "xsmc.h"

void xs_memory_live(xsMachine *the)
{
	xsmcVars(1);
	xsCollectGarbage();
	txMachine *machine = (txMachine *)the;
	xsmcSetNewArray(xsResult, 3);
	xsmcSetInteger(xsVar(0), machine->currentHeapCount);
	xsmcSetIndex(xsResult, 0, xsVar(0));
	xsmcSetInteger(xsVar(0), machine->currentChunksSize);
	xsmcSetIndex(xsResult, 1, xsVar(0));
	xsmcSetInteger(xsVar(0), machine->keyIndex - machine->keyOffset - machine->keyholeCount);
	xsmcSetIndex(xsResult, 2, xsVar(0));
}
