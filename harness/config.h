/*
 * config.h: what some malloc lab handouts' mm.c include for ALIGNMENT and MAX_HEAP. The values
 * are the CS:APP 3e handout's; Heap Inspector's harness checks alignment with its own setting.
 */
#ifndef HEAP_INSPECTOR_CONFIG_H
#define HEAP_INSPECTOR_CONFIG_H

#ifndef ALIGNMENT
#define ALIGNMENT 8
#endif
#ifndef MAX_HEAP
#define MAX_HEAP (20 * (1 << 20))
#endif

#endif
