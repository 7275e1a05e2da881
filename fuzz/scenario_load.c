/* SPDX-License-Identifier: MIT */
/* libFuzzer: a scenario file from memory through the whole loader (libyaml
 * document, libcyaml schema, variables, checks), with one -D override; then
 * everything is freed. A malformed input must give an error message, never a
 * crash, a leak or undefined behaviour. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sc_define defs[] = {{"ctrlr", "vhost.9"}};
	struct scenario *sc = NULL;
	char err[512];
	int ret;

	log_set_level(LOG_LEVEL_ERR);
	ret = scenario_load_data("fuzz.yaml", (const char *)data, size, defs, 1, &sc, err,
				 sizeof(err));
	assert(ret == 0 ? sc != NULL : sc == NULL && err[0] != '\0');
	scenario_free(sc);
	return 0;
}
