# Trees that are ordinary, not hostile: what real images look like. These
# must succeed (a guard that refuses everything proves nothing): merged
# /usr, /var/run -> /run, absolute symlinks that stay inside, setgid
# parents, tmpfs and created-target modes, odd but legal spellings. Where
# the tree has a symlink on the target path, refuse mode refuses it (3).

merged_usr_tree() {
	t_dir /usr/bin /usr/lib /usr/lib64 /usr/sbin /etc
	t_link /bin usr/bin
	t_link /lib usr/lib
	t_link /lib64 usr/lib64
	t_link /sbin usr/sbin
}

# A file bound at /bin/tool lands in /usr/bin.
hcase_ok_merged_usr_bind_file() {
	merged_usr_tree
	host_file tool "#!/bin/sh"
	c_mount tool bind /bin/tool source="$T/host/tool" create=file options=ro,nosuid,nodev
	want 0 3
	e_mounted /usr/bin/tool
	e_nowrite /usr/bin/tool
	e_link /bin usr/bin
}

# A library directory at /lib64/extra, created.
hcase_ok_merged_usr_create_dir() {
	merged_usr_tree
	host_dir libs
	c_mount libs bind /lib64/extra source="$T/host/libs" create=dir options=ro
	want 0 3
	e_mounted /usr/lib64/extra
}

# The whole of /usr read-only, reached as written.
hcase_ok_merged_usr_readonly_usr() {
	merged_usr_tree
	c_ro /usr
	want 0 0
	e_nowrite /usr/bin
	e_writable /etc
}

# /var/run -> /run (absolute, as Debian has it): a tmpfs on /var/run.
hcase_ok_var_run_abs() {
	t_dir /run /var
	t_link /var/run /run
	c_mount run tmpfs /var/run options=nosuid,nodev,mode=0755
	want 0 3
	e_mounted /run tmpfs
	e_mode /run 755
}

# /var/run -> ../run (relative).
hcase_ok_var_run_rel() {
	t_dir /run /var
	t_link /var/run ../run
	c_mount run tmpfs /var/run
	want 0 3
	e_mounted /run tmpfs
}

# /var/lock -> /run/lock, a directory created under it.
hcase_ok_var_lock_create_under() {
	t_dir /run/lock /var
	t_link /var/lock /run/lock
	c_mount l tmpfs /var/lock/sub create=dir
	want 0 3
	e_mounted /run/lock/sub tmpfs
}

# /etc/alternatives-style absolute symlinks that stay inside.
hcase_ok_abs_symlink_stays_inside() {
	t_dir /usr/share/java/jre
	t_link /etc/alternatives/jre /usr/share/java/jre
	t_link /opt/jre /etc/alternatives/jre
	host_dir certs
	c_mount c bind /opt/jre/certs source="$T/host/certs" create=dir options=ro
	want 0 3
	e_mounted /usr/share/java/jre/certs
}

# opt/app/current -> releases/v2 (relative, sibling).
hcase_ok_relative_sibling_link() {
	t_dir /opt/app/releases/v2/data
	t_link /opt/app/current releases/v2
	c_mount d tmpfs /opt/app/current/data
	want 0 3
	e_mounted /opt/app/releases/v2/data tmpfs
}

# A setgid parent (2775, group 4321): the created directory inherits the
# group and the bit.
hcase_ok_setgid_parent() {
	t_dir /srv/shared
	chgrp 4321 "$ROOT/srv/shared" && chmod 2775 "$ROOT/srv/shared"
	c_mount t tmpfs /srv/shared/x create=dir mode=0750
	want 0 0
	e_mounted /srv/shared/x tmpfs
	e_check "created dir has group 4321 and mode 2750" \
		"umount '$ROOT/srv/shared/x' && [ \"\$(stat -c %g:%a '$ROOT/srv/shared/x')\" = 4321:2750 ]"
}

# tmpfs mode=1777 (a /tmp).
hcase_ok_tmpfs_mode_1777() {
	t_dir /tmp
	c_mount tmp tmpfs /tmp options=nosuid,nodev,mode=1777,size=8m
	want 0 0
	e_mode /tmp 1777
}

# tmpfs mode=0700 with uid and gid.
hcase_ok_tmpfs_mode_0700_owner() {
	c_mount home tmpfs /home/u create=dir options=mode=0700,uid=1000,gid=1000
	want 0 0
	e_mode /home/u 700
	e_check "owned by 1000:1000" "[ \"\$(stat -c %u:%g '$ROOT/home/u')\" = 1000:1000 ]"
}

# A created target with mode 01777 (sticky, past the umask).
hcase_ok_create_mode_sticky() {
	c_mount t tmpfs /scratch create=dir mode=01777
	want 0 0
	e_check "created dir is 1777 under the mount" \
		"umount '$ROOT/scratch' && [ \"\$(stat -c %a '$ROOT/scratch')\" = 1777 ]"
}

# .. that stays inside, ./ and //: fine in both modes.
hcase_ok_dotdot_inside() {
	t_dir /usr /etc
	c_mount t tmpfs //usr/./../etc/
	want 0 0
	e_mounted /etc tmpfs
}

# A name with a space, a semicolon and a newline-free escape.
hcase_ok_escaped_names() {
	t_dir "/srv/my data;x"
	c_mount t tmpfs '/srv/my\sdata\;x'
	want 0 0
	e_mounted "/srv/my data;x" ""
}

# The oci-default preset on a merged-/usr tree with /var/run -> /run.
hcase_ok_oci_default_preset() {
	merged_usr_tree
	t_dir /run /var
	t_link /var/run /run
	c_opt preset oci-default
	c_mount run tmpfs /var/run create=dir
	want 0 3
	e_mounted /proc proc
	e_mounted /dev tmpfs
	e_mounted /sys sysfs
	e_mounted /run tmpfs
	e_nowrite /proc/sys/kernel/core_pattern
	e_chr /dev/null 1:3
}

# A procfs, masks and read-only paths on it, and a writable exception.
hcase_ok_proc_masks_readonly_writable() {
	t_dir /proc
	c_mount proc proc /proc options=nosuid,nodev,noexec
	c_mask /proc/version /proc/acpi /proc/no-such-file
	c_ro /proc/sys "$SYSRQ"
	c_rw /proc/sys/net
	want 0 0
	e_empty /proc/version
	e_nowrite /proc/sys/kernel/core_pattern
	e_nowrite "$SYSRQ"
	e_check "/proc/sys/net is rw" "mi_line '$ROOT/proc/sys/net' | grep -q ' rw,'"
	e_check "the missing mask is skipped" "printf '%s' \"\$STDOUT\" | grep -q 'skipped: /proc/no-such-file does not exist'"
}

# type = dev over an image /dev full of junk (dangling links, a FIFO).
hcase_ok_dev_over_junk() {
	t_link /dev/null /nowhere
	t_fifo /dev/random
	t_link /dev/shm /
	c_mount dev dev /dev
	c_mount mq mqueue /dev/mqueue create=dir
	want 0 0
	e_chr /dev/null 1:3
	e_chr /dev/random 1:8
	e_mounted /dev/shm tmpfs
	e_mounted /dev/mqueue mqueue
	e_link /dev/fd /proc/self/fd
}

# An rbind of a host directory with a submount, read-only all the way.
hcase_ok_rbind_ro_with_submount() {
	host_dir data/sub
	mount -t tmpfs tmpfs "$T/host/data/sub"
	t_dir /data
	c_mount data rbind /data source="$T/host/data" options=ro,nosuid,nodev
	want 0 0
	e_nowrite /data
	e_nowrite /data/sub
	e_check "the host's submount stays writable" "[ -w '$T/host/data/sub' ]"
}

# A file bind over an existing file, read-only.
hcase_ok_bind_existing_file() {
	t_file /etc/resolv.conf "nameserver 10.0.0.1"
	host_file resolv "nameserver 192.0.2.1"
	c_mount r bind /etc/resolv.conf source="$T/host/resolv" options=ro,nosuid,nodev,noexec
	want 0 0
	e_content /etc/resolv.conf "nameserver 192.0.2.1"
	e_nowrite /etc/resolv.conf
}

# minimal-chroot with an executable, on a merged-/usr tree.
hcase_ok_minimal_chroot_executable() {
	merged_usr_tree
	c_opt preset minimal-chroot
	c_opt executable /bin/true
	want 0 3
	e_mounted /proc proc
	e_mounted /tmp tmpfs
	e_check "/bin/true is bound in" "[ -s '$ROOT/usr/bin/true' ]"
}
