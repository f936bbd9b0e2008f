/* fuzz-target.h: the entry point every protocol fuzz target defines. Built
 * with -fsanitize=fuzzer it is driven by libFuzzer; otherwise fuzz-driver.c
 * runs it over a corpus directory as an ordinary test. */
#ifndef TESSERA_PROTOCOL_FUZZ_TARGET_H
#define TESSERA_PROTOCOL_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Decodes data[0..size) in every way the target covers. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
