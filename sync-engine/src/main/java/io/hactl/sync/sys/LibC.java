package io.hactl.sync.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls hactl needs, bound with JNA direct mapping (no per-call reflection).
 * Each throws {@link LastErrorException} carrying errno when the call returns -1, but for the
 * receives of {@link Polling}.
 */
public final class LibC {
    static {
        // JNA's NativeLibrary learns the system's library directories at class initialisation by
        // running "ldconfig -p" in a child process, unless this property names them: a daemon
        // that starts a program it does not need, and a thread to reap it. libc is opened by its
        // soname below, which the dynamic linker finds without a search path.
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", "");
        }
        // send and recv take and return size_t / ssize_t as Java longs: a NativeLong result is
        // built by reflection on every call, and the event reader calls recv once per event
        if (Native.SIZE_T_SIZE != 8) {
            throw new ExceptionInInitializerError("hactl needs a 64-bit system (size_t of 8 bytes, found "
                    + Native.SIZE_T_SIZE + ")");
        }
        Native.register(LibC.class, "libc.so.6");
    }

    private LibC() {}

    /** Loads and binds libc (for {@link Polling}, whose first use may come before any of this class's). */
    static void load() {
        // the static initialiser has run by the time this body does
    }

    /**
     * Receives for a caller to whom "nothing queued" (EAGAIN) is a common answer: -1 and errno in
     * {@link Native#getLastError()} instead of a {@link LastErrorException}. JNA builds that
     * exception with a stack trace and parses its own message with a failing Integer.parseInt, a
     * second exception: two stack traces per empty read, which cost more than the system call.
     */
    public static final class Polling {
        static {
            LibC.load();
            Native.register(Polling.class, "libc.so.6");
        }

        private Polling() {}

        public static native long recv(int fd, Pointer buf, long len, int flags);

        /** recvmsg(2) into a {@code struct msghdr} the caller laid out in native memory. */
        public static native long recvmsg(int fd, Pointer msghdr, int flags);

        /** recvmmsg(2) into an array of {@code struct mmsghdr} the caller laid out in native memory. */
        public static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);
    }

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    public static native int getsockname(int fd, byte[] addr, int[] addrlen) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int optname, byte[] optval, int optlen)
            throws LastErrorException;

    public static native int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen)
            throws LastErrorException;

    public static native long send(int fd, Pointer buf, long len, int flags) throws LastErrorException;

    public static native NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen)
            throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    /**
     * poll(2) over an array of {@code struct pollfd} (8 bytes each: int fd, short events, short
     * revents, native order); {@code timeoutMillis} -1 waits forever, 0 not at all.
     */
    public static native int poll(byte[] fds, long nfds, int timeoutMillis) throws LastErrorException;

    /** setsockopt of an int option (the value in native byte order, as the kernel reads it). */
    public static void setIntSockopt(int fd, int level, int option, int value) throws LastErrorException {
        byte[] v = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(value).array();
        setsockopt(fd, level, option, v, 4);
    }

    public static native int open(String path, int flags) throws LastErrorException;

    /** Moves the calling thread into the namespace behind fd (CLONE_NEWNET = 0x40000000). */
    public static native int setns(int fd, int nstype) throws LastErrorException;

    public static native int geteuid();

    /** mkfifo(3): a FIFO at {@code path} with {@code mode} less the umask. */
    public static native int mkfifo(String path, int mode) throws LastErrorException;

    public static native int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 02000000;
    public static final int CLONE_NEWNET = 0x40000000;
}
