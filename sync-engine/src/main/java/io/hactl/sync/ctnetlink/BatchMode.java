package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;

/** What a batched CT_NEW does with an entry that already exists (or does not). */
public enum BatchMode {
    /** Create only; an existing entry answers EEXIST (NLM_F_CREATE | NLM_F_EXCL). */
    CREATE(Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL),
    /** Update only; a missing entry answers ENOENT (no create flags). */
    UPDATE(0),
    /** Create, or update when it exists (NLM_F_CREATE without NLM_F_EXCL). */
    CREATE_OR_UPDATE(Netlink.NLM_F_CREATE);

    final int flags;

    BatchMode(int flags) {
        this.flags = flags;
    }
}
