/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_SCHEMA_H
#define STORLAB_SCENARIO_SCHEMA_H

#include <cyaml/cyaml.h>

/* The whole file: struct scenario (scenario.h). */
extern const cyaml_schema_value_t g_sc_schema;
/* The enums' names, for messages. */
extern const cyaml_strval_t g_sc_endpoint_types[];
extern const unsigned g_sc_endpoint_ntypes;
extern const cyaml_strval_t g_sc_io_ops[];
extern const unsigned g_sc_io_nops;

#endif
