#!/bin/sh
# Run "$@" with cgroup2 (/sys/fs/cgroup/unified) hidden in a private mount namespace.
# crun <= 1.8 refuses the hybrid cgroup layout of hosts whose cgroup2 mount carries a controller
# ("cgroups in hybrid mode not supported"); inside this namespace it sees plain cgroup v1.
# The host's mounts are untouched (the namespace is private and dies with the command).
exec unshare --mount --propagation private \
    sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' legacyns "$@"
