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

// A census of the live slot heap after a full collection, for finding what
// holds memory (docs/moddable.md, "Memory"): each object with its properties
// (and private fields) is counted under a label (functions by name, other
// objects by their constructor's name), and slots outside any object (closure
// variables, list entries) by kind. Printed to stderr as "census:" lines.

#define CENSUS_LABELS 400

typedef struct { const char *label; int count; int slots; } txCensusRow;

static int census_in_heap(txMachine *the, txSlot *slot)
{
	txSlot *heap = the->firstHeap;
	while (heap) {
		if ((slot > heap) && (slot < heap->value.reference)) return 1;
		heap = heap->next;
	}
	return 0;
}

static int census_chain(txMachine *the, txSlot *slot)
{
	int n = 0;
	while (slot && census_in_heap(the, slot) && !(slot->flag & XS_MARK_FLAG)) {
		slot->flag |= XS_MARK_FLAG;
		n++;
		if (slot->kind == XS_PRIVATE_KIND) n += census_chain(the, slot->value.private.first);
		slot = slot->next;
	}
	return n;
}

static const char *census_function_name(txMachine *the, txSlot *instance)
{
	txSlot *code = instance->next;
	if (code && ((code->kind == XS_CODE_KIND) || (code->kind == XS_CODE_X_KIND) || (code->kind == XS_CALLBACK_KIND) || (code->kind == XS_CALLBACK_X_KIND))) {
		if (code->ID != XS_NO_ID) {
			const char *name = fxGetKeyName(the, code->ID);
			if (name) return name;
		}
		return "(anonymous)";
	}
	return C_NULL;
}

static void census_names(txMachine *the, txSlot *property, char *buffer, int size, const char *head)
{
	int used = snprintf(buffer, size, "%s{", head), n = 0;
	while (property && (used < size - 8)) {
		if (!(property->flag & XS_INTERNAL_FLAG) && (property->ID != XS_NO_ID) && (property->kind != XS_PRIVATE_KIND)) {
			const char *name = fxGetKeyName(the, property->ID);
			if (n++ == 8) { used += snprintf(buffer + used, size - used, ",..."); break; }
			used += snprintf(buffer + used, size - used, "%s%s", n > 1 ? "," : "", name ? name : "?");
		}
		else if (property->kind == XS_PRIVATE_KIND) {
			txSlot *field = property->value.private.first;
			while (field && (used < size - 8)) {
				const char *name = fxGetKeyName(the, field->ID);
				if (n++ == 8) { used += snprintf(buffer + used, size - used, ",..."); break; }
				used += snprintf(buffer + used, size - used, "%s#%s", n > 1 ? "," : "", name ? name : "?");
				field = field->next;
			}
		}
		property = property->next;
	}
	if (used < size - 2) snprintf(buffer + used, size - used, "}");
}

static const char *census_label(txMachine *the, txSlot *instance, char *buffer, int size)
{
	txSlot *next = instance->next;
	const char *name;
	if (!next) return "object (no properties)";
	if ((next->flag & XS_INTERNAL_FLAG) && (next->ID == XS_ENVIRONMENT_BEHAVIOR)) {
		census_names(the, next->next, buffer, size, "closure env ");
		return buffer;
	}
	if ((next->flag & XS_INTERNAL_FLAG) && (next->kind != XS_PRIVATE_KIND)) switch (next->kind) {
	case XS_CODE_KIND: case XS_CODE_X_KIND:
		snprintf(buffer, size, "function %s", census_function_name(the, instance));
		return buffer;
	case XS_CALLBACK_KIND: case XS_CALLBACK_X_KIND:
		snprintf(buffer, size, "host function %s", census_function_name(the, instance));
		return buffer;
	case XS_ARRAY_KIND: return "Array";
	case XS_PROMISE_KIND: return "Promise";
	case XS_MAP_KIND: return "Map";
	case XS_SET_KIND: return "Set";
	case XS_HOST_KIND: return "host object";
	case XS_ARRAY_BUFFER_KIND: return "ArrayBuffer";
	case XS_TYPED_ARRAY_KIND: return "TypedArray";
	case XS_DATA_VIEW_KIND: return "DataView";
	case XS_ERROR_KIND: return "Error";
	case XS_STRING_KIND: case XS_STRING_X_KIND: return "String object";
	case XS_MODULE_KIND: return "module";
	case XS_REGEXP_KIND: return "RegExp";
	case XS_DATE_KIND: return "Date";
	case XS_PROXY_KIND: return "Proxy";
	case XS_STACK_KIND: return "suspended async function or generator";
	default:
		snprintf(buffer, size, "internal kind %d", next->kind);
		return buffer;
	}
	{
		txSlot *prototype = instance->value.instance.prototype;
		int depth = 0;
		while (prototype && depth++ < 8) {
			txSlot *property = prototype->next;
			while (property) {
				if ((property->ID == mxID(_constructor)) && (property->kind == XS_REFERENCE_KIND)) {
					name = census_function_name(the, property->value.reference);
					if (name) {
						if (!c_strcmp(name, "Object")) census_names(the, next, buffer, size, "Object ");
						else snprintf(buffer, size, "%s", name);
						return buffer;
					}
				}
				property = property->next;
			}
			prototype = prototype->value.instance.prototype;
		}
	}
	census_names(the, next, buffer, size, "object ");
	return buffer;
}

static void census_add(txCensusRow *rows, int *count, const char *label, int slots)
{
	int i;
	for (i = 0; i < *count; i++) {
		if (!c_strcmp(rows[i].label, label)) {
			rows[i].count++;
			rows[i].slots += slots;
			return;
		}
	}
	if (*count == CENSUS_LABELS) return;
	rows[*count].label = strdup(label);
	rows[*count].count = 1;
	rows[*count].slots = slots;
	(*count)++;
}

static int census_compare(const void *a, const void *b)
{
	return ((const txCensusRow *)b)->slots - ((const txCensusRow *)a)->slots;
}

void xs_memory_census(xsMachine *the)
{
	static const char *kinds[] = { "undefined", "null", "boolean", "integer", "number", "string", "string-x", "symbol", "bigint", "bigint-x", "reference", "closure", "frame", "instance" };
	txCensusRow *rows = c_calloc(CENSUS_LABELS, sizeof(txCensusRow));
	int count = 0, i, total = 0;
	char buffer[256];
	txSlot *heap, *slot;
	xsCollectGarbage();
	txMachine *machine = (txMachine *)the;
	for (slot = machine->freeHeap; slot; slot = slot->next) slot->flag |= XS_MARK_FLAG;
	for (heap = machine->firstHeap; heap; heap = heap->next) {
		for (slot = heap + 1; slot < heap->value.reference; slot++) {
			if ((slot->kind == XS_INSTANCE_KIND) && !(slot->flag & XS_MARK_FLAG)) {
				const char *label = census_label(machine, slot, buffer, sizeof(buffer));
				int n = census_chain(machine, slot);
				census_add(rows, &count, label, n);
				total += n;
			}
		}
	}
	for (heap = machine->firstHeap; heap; heap = heap->next) {
		for (slot = heap + 1; slot < heap->value.reference; slot++) {
			if (!(slot->flag & XS_MARK_FLAG)) {
				if (slot->kind < (int)(sizeof(kinds) / sizeof(kinds[0]))) snprintf(buffer, sizeof(buffer), "loose %s", kinds[slot->kind]);
				else snprintf(buffer, sizeof(buffer), "loose kind %d", slot->kind);
				census_add(rows, &count, buffer, 1);
				total++;
			}
			slot->flag &= ~XS_MARK_FLAG;
		}
	}
	qsort(rows, count, sizeof(txCensusRow), census_compare);
	fprintf(stderr, "census: %d live slots\n", total);
	for (i = 0; i < count; i++) {
		fprintf(stderr, "census: %5d slots %4d x %s\n", rows[i].slots, rows[i].count, rows[i].label);
		free((void *)rows[i].label);
	}
	c_free(rows);
}
