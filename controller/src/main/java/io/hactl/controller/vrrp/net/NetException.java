package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.Errno;
import java.io.IOException;

/**
 * A failed socket or rtnetlink operation of the VRRP network half: what was being done, on which
 * interface, and the errno the kernel gave (0 when the failure is not the kernel's).
 */
public final class NetException extends IOException {
    private final int errno;

    public NetException(String operation, int errno) {
        super(operation + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public NetException(String message) {
        super(message);
        this.errno = 0;
    }

    /** The kernel's errno, 0 when there was none. */
    public int errno() {
        return errno;
    }
}
