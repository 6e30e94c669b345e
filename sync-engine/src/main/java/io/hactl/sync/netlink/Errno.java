package io.hactl.sync.netlink;

/** The errno values the kernel answers hactl with (asm-generic/errno-base.h, asm-generic/errno.h). */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;          // EPERM
    public static final int ENOENT = 2;         // ENOENT
    public static final int EINTR = 4;          // EINTR
    public static final int EIO = 5;            // EIO
    public static final int EBADF = 9;          // EBADF
    public static final int EAGAIN = 11;        // EAGAIN / EWOULDBLOCK
    public static final int ENOMEM = 12;        // ENOMEM
    public static final int EACCES = 13;        // EACCES
    public static final int EFAULT = 14;        // EFAULT
    public static final int EBUSY = 16;         // EBUSY
    public static final int EEXIST = 17;        // EEXIST
    public static final int ENODEV = 19;        // ENODEV
    public static final int EINVAL = 22;        // EINVAL
    public static final int ENOSPC = 28;        // ENOSPC
    public static final int ERANGE = 34;        // ERANGE
    public static final int EMSGSIZE = 90;      // EMSGSIZE
    public static final int EPROTONOSUPPORT = 93; // EPROTONOSUPPORT
    public static final int EOPNOTSUPP = 95;    // EOPNOTSUPP
    public static final int EAFNOSUPPORT = 97;  // EAFNOSUPPORT
    public static final int EADDRNOTAVAIL = 99; // EADDRNOTAVAIL
    public static final int ENETDOWN = 100;     // ENETDOWN
    public static final int ENOBUFS = 105;      // ENOBUFS
    public static final int ETIMEDOUT = 110;    // ETIMEDOUT

    public static String name(int errno) {
        return switch (errno) {
            case 0 -> "OK";
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case EMSGSIZE -> "EMSGSIZE";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETDOWN -> "ENETDOWN";
            case ENOBUFS -> "ENOBUFS";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }

    /** Name and meaning, e.g. "EEXIST (entry exists)". */
    public static String describe(int errno) {
        String meaning = switch (errno) {
            case EPERM -> "operation not permitted: needs root or CAP_NET_ADMIN";
            case ENOENT -> "no such entry";
            case EAGAIN -> "timed out waiting for the kernel";
            case ENOMEM -> "out of memory";
            case EBUSY -> "busy or unchangeable field";
            case EEXIST -> "entry exists";
            case ENODEV -> "no such interface";
            case EINVAL -> "invalid argument";
            case ENOSPC -> "table full";
            case EOPNOTSUPP -> "not supported (module or helper missing?)";
            case EPROTONOSUPPORT -> "protocol not supported";
            case EAFNOSUPPORT -> "address family not supported";
            case EADDRNOTAVAIL -> "address not available on this host";
            case ENETDOWN -> "network is down";
            case ENOBUFS -> "netlink buffer overrun: messages were lost";
            default -> null;
        };
        return meaning == null ? name(errno) : name(errno) + " (" + meaning + ")";
    }
}
