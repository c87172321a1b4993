/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command line: parsing only, no side effects, so that it can run
 * before the hygiene step (which must know which fd serve keeps). */
#include "cli.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifndef MG_VERSION
#define MG_VERSION "0.0.0"
#endif

static int parse_id(const char *s, long *out)
{
	char *end = NULL;
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (v > 4294967294ULL)
		return -ERANGE;
	*out = (long)v;
	return 0;
}

static int bad_number(const char *opt, const char *v)
{
	mg_log(LOG_ERR, "%s needs a decimal number, not '%s'", opt, v);
	return -EINVAL;
}

void mg_cli_usage(FILE *f)
{
	fputs("Usage: mount-guard apply --root DIR {--config FILE | --preset NAME | MOUNTS} [--json]\n"
	      "       mount-guard plan  --root DIR {--config FILE | --preset NAME | MOUNTS} [--json]\n"
	      "       mount-guard teardown --root DIR [--json]\n"
	      "       mount-guard show --root DIR [--json]\n"
	      "       mount-guard serve --fd N [--policy FILE]\n"
	      "       mount-guard policy check FILE [--draft]\n"
	      "       mount-guard plan --as-uid UID [--as-gid GID] [--policy FILE]\n"
	      "       mount-guard exec --root DIR {--config FILE | --preset NAME | MOUNTS} [--unshare] -- CMD [ARGS...]\n"
	      "       mount-guard oci-hook {--config FILE | --preset NAME}   (OCI state JSON on stdin)\n"
	      "       mount-guard --help | --version\n"
	      "\n"
	      "  apply   resolve every target inside DIR, mount by fd, verify against\n"
	      "          mountinfo; all or nothing\n"
	      "  plan    resolve and check everything, change nothing\n"
	      "  teardown  unmount everything beneath DIR, deepest first, by fd and\n"
	      "          mount id (for ExecStopPost= and sandbox clean-up)\n"
	      "  show    the mount tree at and beneath DIR (no privilege needed)\n"
	      "  serve   read one request from the socket on fd N (libmountguard), check\n"
	      "          it against the admin policy, apply it, answer, exit\n"
	      "  policy check FILE  validate a policy file (--draft: skip ownership checks)\n"
	      "  plan --as-uid UID  what the policy lets that caller do, and why not\n"
	      "\n"
	      "  --root DIR     the rootfs (a trusted host path)\n"
	      "  --config FILE  the mount list, mount-guard.conf(5); '-' reads stdin\n"
	      "  --preset NAME  start from a shipped preset (oci-default, minimal-chroot)\n"
	      "  --json         print a JSON report instead of the summary\n"
	      "\n"
	      "MOUNTS (apply, plan, exec; after the config's and preset's entries, in order;\n"
	      "host paths SRC, in-root paths DST and PATH, all absolute; a missing DST is\n"
	      "created, a directory or, for a bind of a non-directory, an empty file):\n"
	      "  --bind SRC DST     recursive bind, nosuid,nodev\n"
	      "  --ro-bind SRC DST  recursive bind, ro,nosuid,nodev\n"
	      "  --proc DST         procfs, nosuid,noexec,nodev\n"
	      "  --dev DST          a minimal /dev (type = dev)\n"
	      "  --tmpfs DST        tmpfs, nosuid,nodev,mode=0755\n"
	      "  --mqueue DST       mqueue, nosuid,noexec,nodev\n"
	      "  --mask PATH        [masked]: an empty read-only file or directory over PATH\n"
	      "  --ro PATH          [readonly]: PATH and every mount beneath it read-only\n"
	      "  --rw PATH          [writable]: writable again beneath a --ro PATH\n"
	      "\n"
	      "Exit: 0 done, 1 a mount failed (nothing left mounted), 2 usage or config\n"
	      "error (nothing touched), 3 refused as unsafe (nothing left touched),\n"
	      "4 failed and the rollback failed too (something may be left).\n"
	      "See mount-guard(8).\n",
	      f);
}

void mg_cli_free(struct cli *c)
{
	free(c->mounts);
	c->mounts = NULL;
	c->nmounts = 0;
}

/* getopt_long's value for a mount argument: above every character. */
#define OPT_MOUNT 0x100

/* --bind SRC DST: getopt_long hands over SRC; DST is the next word, which
 * must be there (and not the "--" that ends exec's options). `at` is the
 * option's own index in argv, `shift` how far argv was moved past the
 * command, so that messages give the position the caller typed. */
static int add_mount(struct cli *c, int argc, char **argv, enum mg_cli_mount_kind kind, int at,
		     int shift)
{
	struct mg_cli_mount *m;
	if (!c->mounts) {
		/* Never more mounts than words. */
		c->mounts = calloc((size_t)argc, sizeof(*c->mounts));
		if (!c->mounts) {
			mg_log(LOG_ERR, "out of memory");
			return -ENOMEM;
		}
	}
	m = &c->mounts[c->nmounts++];
	m->kind = kind;
	m->argi = at + shift;
	m->arg = optarg;
	if (mg_cli_mount_operands(kind) < 2)
		return 0;
	if (optind >= argc || strcmp(argv[optind], "--") == 0) {
		mg_log(LOG_ERR, "argument %d (--%s): missing second operand (--%s SRC DST)", m->argi,
		       mg_cli_mount_option(kind), mg_cli_mount_option(kind));
		return -EINVAL;
	}
	m->dst = argv[optind++];
	return 0;
}

static bool takes_mounts(const char *command)
{
	return strcmp(command, "apply") == 0 || strcmp(command, "plan") == 0 ||
	       strcmp(command, "exec") == 0;
}

/* The words, into `c`; which command takes which is check_command's job. */
static int parse_words(int argc, char **argv, struct cli *c, const struct option *opts)
{
	int o, at, shift = 0;
	c->fd = -1;
	c->as_uid = c->as_gid = -1;
	if (argc >= 2 && argv[1][0] != '-') {
		c->command = argv[1];
		argc--;
		argv++;
		shift++;
	}
	/* policy check FILE */
	if (c->command && strcmp(c->command, "policy") == 0) {
		if (argc < 3 || strcmp(argv[1], "check") != 0) {
			mg_log(LOG_ERR, "policy takes: check FILE [--draft]");
			return -EINVAL;
		}
		c->policy_file = argv[2];
		argc -= 2;
		argv += 2;
		shift += 2;
	}
	opterr = 0;
	optind = 0; /* a fresh scan (glibc), also for a second parse (unit tests) */
	/* Long options are never clustered: the word before the call is the
	 * option getopt_long returns. */
	at = 1;
	while ((o = getopt_long(argc, argv, "+:r:c:p:jhVf:P:u:g:dU", opts, NULL)) != -1) {
		if (o >= OPT_MOUNT && o < OPT_MOUNT + MG_CLI_MOUNT__MAX) {
			if (add_mount(c, argc, argv, (enum mg_cli_mount_kind)(o - OPT_MOUNT), at, shift) < 0)
				return -EINVAL;
			at = optind;
			continue;
		}
		at = optind;
		switch (o) {
		case 'r':
			c->root = optarg;
			break;
		case 'c':
			c->config = optarg;
			break;
		case 'j':
			c->json = true;
			break;
		case 'p':
			c->preset = optarg;
			break;
		case 'f':
			if (parse_id(optarg, &c->fd) < 0 || c->fd > 1 << 20)
				return bad_number("--fd", optarg);
			break;
		case 'P':
			c->policy = optarg;
			break;
		case 'u':
			if (parse_id(optarg, &c->as_uid) < 0)
				return bad_number("--as-uid", optarg);
			break;
		case 'g':
			if (parse_id(optarg, &c->as_gid) < 0)
				return bad_number("--as-gid", optarg);
			break;
		case 'd':
			c->draft = true;
			break;
		case 'U':
			c->unshare = true;
			break;
		case 'h':
			mg_cli_usage(stdout);
			exit(0);
		case 'V':
			printf("mount-guard %s\n", MG_VERSION);
			exit(0);
		case ':':
			if (optopt >= OPT_MOUNT && optopt < OPT_MOUNT + MG_CLI_MOUNT__MAX) {
				enum mg_cli_mount_kind k = (enum mg_cli_mount_kind)(optopt - OPT_MOUNT);
				mg_log(LOG_ERR, "argument %d (--%s): missing operand (--%s %s)",
				       optind - 1 + shift, mg_cli_mount_option(k),
				       mg_cli_mount_option(k),
				       mg_cli_mount_operands(k) == 2 ? "SRC DST" : "PATH");
				return -EINVAL;
			}
			mg_log(LOG_ERR, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			mg_log(LOG_ERR, "unknown or incomplete option '%s'",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	/* exec: everything after "--" is the command, untouched. */
	if (c->command && strcmp(c->command, "exec") == 0 && optind > 0 &&
	    strcmp(argv[optind - 1], "--") == 0 && optind < argc) {
		c->exec_argv = &argv[optind];
		optind = argc;
	}
	if (optind < argc) {
		mg_log(LOG_ERR, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int only_for(const char *command, bool given, const char *option, const char *for_command)
{
	if (!given || strcmp(command, for_command) == 0)
		return 0;
	mg_log(LOG_ERR, "%s is for %s only, not %s", option, for_command, command);
	return -EINVAL;
}

/* Which command takes which options. */
static int check_command(struct cli *c)
{
	if (!c->command) {
		mg_log(LOG_ERR, "no command given");
		return -EINVAL;
	}
	if (c->nmounts && !takes_mounts(c->command)) {
		const struct mg_cli_mount *m = &c->mounts[0];
		mg_log(LOG_ERR, "argument %d (--%s): mount arguments are for apply, plan and exec, not %s",
		       m->argi, mg_cli_mount_option(m->kind), c->command);
		return -EINVAL;
	}
	if (only_for(c->command, c->as_uid >= 0 || c->as_gid >= 0, "--as-uid/--as-gid", "plan") < 0 ||
	    only_for(c->command, c->fd >= 0, "--fd", "serve") < 0 ||
	    only_for(c->command, c->draft, "--draft", "policy") < 0)
		return -EINVAL;
	bool plan_as = strcmp(c->command, "plan") == 0 && (c->as_uid >= 0 || c->as_gid >= 0);
	if (c->policy && strcmp(c->command, "serve") != 0 && !plan_as) {
		mg_log(LOG_ERR, "--policy is for serve and plan --as-uid, not %s", c->command);
		return -EINVAL;
	}
	if (strcmp(c->command, "policy") == 0) {
		if (c->root || c->config || c->preset || c->json || c->unshare) {
			mg_log(LOG_ERR, "policy check takes FILE (and --draft) only");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(c->command, "serve") == 0) {
		if (c->fd < 0 || c->root || c->config || c->preset || c->json || c->unshare) {
			mg_log(LOG_ERR, "serve takes --fd N (and --policy FILE) only");
			return -EINVAL;
		}
		return 0;
	}
	if (plan_as) {
		/* plan --as-uid UID: explains the policy only. */
		if (c->as_uid < 0 || c->root || c->config || c->preset || c->nmounts || c->json ||
		    c->unshare) {
			mg_log(LOG_ERR, "plan --as-uid UID [--as-gid GID] [--policy FILE] explains the "
					"policy only: no --root, --config, --preset, --json or mount arguments");
			return -EINVAL;
		}
		return 0;
	}
	bool list = c->config || c->preset || c->nmounts;
	if (strcmp(c->command, "teardown") == 0 || strcmp(c->command, "show") == 0) {
		if (!c->root || c->config || c->preset || c->unshare) {
			mg_log(LOG_ERR, "%s takes --root DIR (and --json) only", c->command);
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(c->command, "exec") == 0) {
		if (!c->root || !list || !c->exec_argv) {
			mg_log(LOG_ERR, "exec needs --root DIR, --config FILE, --preset NAME or mount "
					"arguments, and -- CMD [ARGS...]");
			return -EINVAL;
		}
		return 0;
	}
	if (c->unshare) {
		mg_log(LOG_ERR, "--unshare is for exec only");
		return -EINVAL;
	}
	if (strcmp(c->command, "oci-hook") == 0) {
		/* The rootfs comes from the OCI state on stdin and its bundle. */
		if (c->root || (!c->config && !c->preset)) {
			mg_log(LOG_ERR, "oci-hook takes --config FILE (or --preset NAME), not --root");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(c->command, "apply") != 0 && strcmp(c->command, "plan") != 0) {
		mg_log(LOG_ERR, "unknown command '%s'", c->command);
		return -EINVAL;
	}
	if (!c->root || !list) {
		mg_log(LOG_ERR, "%s needs --root DIR and --config FILE, --preset NAME or mount arguments",
			c->command);
		return -EINVAL;
	}
	return 0;
}

int mg_cli_parse(int argc, char **argv, struct cli *c)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },  { "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },        { "help", no_argument, NULL, 'h' },
		{ "preset", required_argument, NULL, 'p' },
		{ "fd", required_argument, NULL, 'f' },    { "policy", required_argument, NULL, 'P' },
		{ "as-uid", required_argument, NULL, 'u' }, { "as-gid", required_argument, NULL, 'g' },
		{ "draft", no_argument, NULL, 'd' },      { "unshare", no_argument, NULL, 'U' },
		{ "version", no_argument, NULL, 'V' },
		{ "bind", required_argument, NULL, OPT_MOUNT + MG_CLI_BIND },
		{ "ro-bind", required_argument, NULL, OPT_MOUNT + MG_CLI_RO_BIND },
		{ "proc", required_argument, NULL, OPT_MOUNT + MG_CLI_PROC },
		{ "dev", required_argument, NULL, OPT_MOUNT + MG_CLI_DEV },
		{ "tmpfs", required_argument, NULL, OPT_MOUNT + MG_CLI_TMPFS },
		{ "mqueue", required_argument, NULL, OPT_MOUNT + MG_CLI_MQUEUE },
		{ "mask", required_argument, NULL, OPT_MOUNT + MG_CLI_MASK },
		{ "ro", required_argument, NULL, OPT_MOUNT + MG_CLI_RO },
		{ "rw", required_argument, NULL, OPT_MOUNT + MG_CLI_RW },
		{ NULL, 0, NULL, 0 },
	};
	int r = parse_words(argc, argv, c, opts);
	if (r == 0)
		r = check_command(c);
	if (r < 0)
		mg_cli_free(c);
	return r;
}
