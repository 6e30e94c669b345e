package io.hactl.sync.netlink;

/** A failed netlink operation: the errno the kernel gave and what was being done. */
public class NetlinkException extends Exception {
    private final int errno;
    private final String operation;

    public NetlinkException(String operation, int errno) {
        super(operation + ": " + Errno.describe(errno));
        this.errno = errno;
        this.operation = operation;
    }

    public NetlinkException(String operation, int errno, String detail) {
        super(operation + ": " + Errno.describe(errno) + " (" + detail + ")");
        this.errno = errno;
        this.operation = operation;
    }

    public int errno() {
        return errno;
    }

    public String operation() {
        return operation;
    }

    public boolean isOverrun() {
        return errno == Errno.ENOBUFS;
    }

    public boolean isTimeout() {
        return errno == Errno.EAGAIN;
    }
}
