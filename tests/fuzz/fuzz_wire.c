/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: common/wire.c, the serve protocol's decoder.
 *
 * The input is a sequence of packets, each prefixed by a 2-byte little-endian
 * length. Every packet goes through mg_wire_decode() (a successful decode
 * must re-encode to the same bytes), then through a request receiver
 * (mg_wire_rx_feed, the state machine the helper runs) and a results
 * receiver (the client's). Checked: no crash, no leak (LeakSanitizer), the
 * receivers refuse everything after their first failure, and a request the
 * receiver completes is a plan whose every entry has a name and an absolute
 * target. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_wire: check failed: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_plan plan;
	struct mg_wire_fds fds;
	char *root = NULL;
	struct mg_wire_rx rx, rx2;
	struct mg_wire_results results = { 0 };
	static uint8_t out[MG_WIRE_MAX_PACKET];
	bool failed = false, failed2 = false;

	mg_plan_init(&plan);
	mg_wire_fds_init(&fds);
	mg_wire_rx_init_request(&rx, &root, &plan, &fds);
	mg_wire_rx_init_results(&rx2, 2, &results);
	while (size >= 2) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		struct mg_wire_msg m;
		enum mg_wire_why why = MG_WIRE_OK;
		if (mg_wire_decode(data, len, &m, &why) == 0) {
			size_t olen = 0;
			enum mg_wire_why why2 = MG_WIRE_OK;
			check(mg_wire_encode(&m, out, sizeof(out), &olen, &why2) == 0, "re-encode");
			check(olen == len && memcmp(out, data, len) == 0, "byte for byte");
		} else {
			check(why != MG_WIRE_OK, "a refusal says why");
		}
		struct mg_error e1 = { 0 }, e2 = { 0 };
		int r1 = mg_wire_rx_feed(&rx, data, len, NULL, 0, &e1);
		check(!failed || r1 < 0, "request receiver refuses after a failure");
		failed |= r1 < 0;
		int r2 = mg_wire_rx_feed(&rx2, data, len, NULL, 0, &e2);
		check(!failed2 || r2 < 0, "results receiver refuses after a failure");
		failed2 |= r2 < 0;
		data += len;
		size -= len;
	}
	if (!failed && mg_wire_rx_complete(&rx))
		for (size_t i = 0; i < plan.n; i++)
			check(plan.entries[i].name && plan.entries[i].target &&
				      plan.entries[i].target[0] == '/',
			      "a complete request is a valid plan");
	mg_plan_free(&plan);
	mg_wire_fds_close(&fds);
	free(root);
	mg_wire_results_free(&results);
	return 0;
}
