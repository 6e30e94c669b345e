package io.hactl.controller.vrrp.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.sys.LibC;
import io.hactl.sync.sys.Sockets;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * One non-blocking datagram socket (raw IP or AF_PACKET) through {@link LibC}: options, bind,
 * sendto, and a receive that waits in poll(2) at most a given time, then reads one datagram with
 * recvmsg(2) together with its source address and ancillary data. The native buffers are the
 * socket's own, so one thread uses a socket at a time.
 */
final class RawSocket implements AutoCloseable {
    /** Large enough for any IP datagram. */
    private static final int DATA_CAPACITY = 65_536;
    private static final int NAME_CAPACITY = 128;      // struct sockaddr_storage
    private static final int CONTROL_CAPACITY = 256;   // a few cmsgs (hop limit, pktinfo)
    private static final int MSGHDR_LEN = 56;          // struct msghdr on LP64
    private static final int IOVEC_LEN = 16;           // struct iovec on LP64
    private static final int CMSGHDR_LEN = 16;         // struct cmsghdr on LP64: len (size_t), level, type
    private static final int TIMESPEC_LEN = 16;        // struct timespec on LP64: tv_sec, tv_nsec
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The oldest receive stamp taken as it is (see {@link #receivedAtNanos}). */
    static final long MAX_STAMP_AGE_NANOS = 100_000_000L;

    private final String what;
    private final int fd;
    private final Memory data = new Memory(DATA_CAPACITY);
    private final Memory name = new Memory(NAME_CAPACITY);
    private final Memory control = new Memory(CONTROL_CAPACITY);
    private final Memory iov = new Memory(IOVEC_LEN);
    private final Memory msghdr = new Memory(MSGHDR_LEN);
    private final byte[] pollfd = new byte[8];
    private int received;
    private int nameLength;
    private int controlLength;
    private boolean closed;

    private RawSocket(String what, int fd) {
        this.what = what;
        this.fd = fd;
    }

    /** {@code socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol)}; {@code what} names it in errors. */
    static RawSocket open(String what, int domain, int type, int protocol) throws NetException {
        try {
            return new RawSocket(what, LibC.socket(domain, type | Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC, protocol));
        } catch (LastErrorException e) {
            throw new NetException(what + ": socket", e.getErrorCode());
        }
    }

    void setInt(int level, int option, int value, String optionName) throws NetException {
        try {
            LibC.setIntSockopt(fd, level, option, value);
        } catch (LastErrorException e) {
            throw new NetException(what + ": setsockopt(" + optionName + " " + value + ")", e.getErrorCode());
        }
    }

    void setBytes(int level, int option, byte[] value, String optionName) throws NetException {
        try {
            LibC.setsockopt(fd, level, option, value, value.length);
        } catch (LastErrorException e) {
            throw new NetException(what + ": setsockopt(" + optionName + ")", e.getErrorCode());
        }
    }

    /** SO_BINDTODEVICE: only traffic of this interface comes in, and what goes out leaves by it. */
    void bindToDevice(String interfaceName) throws NetException {
        byte[] raw = interfaceName.getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[raw.length + 1];
        System.arraycopy(raw, 0, value, 0, raw.length);
        setBytes(Sockets.SOL_SOCKET, Sockets.SO_BINDTODEVICE, value, "SO_BINDTODEVICE " + interfaceName);
    }

    void bind(byte[] sockaddr, String description) throws NetException {
        try {
            LibC.bind(fd, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            throw new NetException(what + ": bind(" + description + ")", e.getErrorCode());
        }
    }

    /** Sends one datagram to {@code sockaddr}; a short send is an error. */
    void sendTo(byte[] datagram, byte[] sockaddr, String destination) throws NetException {
        long sent;
        while (true) {
            try {
                sent = LibC.sendto(fd, datagram, new NativeLong(datagram.length), 0, sockaddr, sockaddr.length).longValue();
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new NetException(what + ": sendto " + destination + " (" + datagram.length + " octets)",
                            e.getErrorCode());
                }
            }
        }
        if (sent != datagram.length) {
            throw new NetException(what + ": sendto " + destination + " sent " + sent + " of " + datagram.length + " octets");
        }
    }

    /**
     * Waits at most {@code timeout} for a datagram and reads it: true when one was read (see
     * {@link #data}, {@link #source}, {@link #cmsg}), false when none came in time. A zero or
     * negative timeout only looks.
     */
    boolean receive(Duration timeout) throws NetException {
        if (readNow()) {
            return true;
        }
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // round up, so that a wait below a millisecond still sleeps instead of spinning
            int millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            if (poll(millis) && readNow()) {
                return true;
            }
        }
    }

    /**
     * Waits at most {@code timeout} until at least one of {@code sockets}, or {@code alsoFd}
     * (another socket, -1 for none), has something to read; returns a flag per socket, in order,
     * then one for {@code alsoFd} when given (all false on timeout). Does not read.
     */
    static boolean[] awaitReadable(RawSocket[] sockets, int alsoFd, Duration timeout) throws NetException {
        int count = sockets.length + (alsoFd >= 0 ? 1 : 0);
        byte[] fds = new byte[8 * count];
        ByteBuffer p = ByteBuffer.wrap(fds).order(ByteOrder.nativeOrder());
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            for (int i = 0; i < sockets.length; i++) {
                p.putInt(8 * i, sockets[i].fd).putShort(8 * i + 4, Sockets.POLLIN).putShort(8 * i + 6, (short) 0);
            }
            if (alsoFd >= 0) {
                p.putInt(8 * sockets.length, alsoFd).putShort(8 * sockets.length + 4, Sockets.POLLIN)
                        .putShort(8 * sockets.length + 6, (short) 0);
            }
            long left = Math.max(0, deadline - System.nanoTime());
            int millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
            int n;
            try {
                n = LibC.poll(fds, count, millis);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new NetException("poll of " + sockets.length + " VRRP sockets", e.getErrorCode());
                }
                n = 0;
            }
            boolean[] ready = new boolean[count];
            for (int i = 0; i < sockets.length; i++) {
                short revents = p.getShort(8 * i + 6);
                if ((revents & Sockets.POLLNVAL) != 0) {
                    throw new NetException(sockets[i].what + ": poll", Errno.EBADF);
                }
                ready[i] = revents != 0;
            }
            if (alsoFd >= 0) {
                short revents = p.getShort(8 * sockets.length + 6);
                if ((revents & Sockets.POLLNVAL) != 0) {
                    throw new NetException("poll of socket " + alsoFd, Errno.EBADF);
                }
                ready[sockets.length] = revents != 0;
            }
            if (n > 0 || deadline - System.nanoTime() <= 0) {
                return ready;
            }
        }
    }

    private boolean poll(int millis) throws NetException {
        ByteBuffer p = ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder());
        p.putInt(0, fd).putShort(4, Sockets.POLLIN).putShort(6, (short) 0);
        try {
            int n = LibC.poll(pollfd, 1, millis);
            short revents = p.getShort(6);
            if (n > 0 && (revents & Sockets.POLLNVAL) != 0) {
                throw new NetException(what + ": poll", Errno.EBADF);
            }
            return n > 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EINTR) {
                return false;
            }
            throw new NetException(what + ": poll", e.getErrorCode());
        }
    }

    /** One recvmsg(MSG_DONTWAIT); false when nothing is queued. */
    private boolean readNow() throws NetException {
        if (closed) {
            throw new NetException(what + ": recvmsg", Errno.EBADF);
        }
        iov.setPointer(0, data);
        iov.setLong(8, DATA_CAPACITY);
        msghdr.clear();
        msghdr.setPointer(0, name);
        msghdr.setInt(8, NAME_CAPACITY);
        msghdr.setPointer(16, iov);
        msghdr.setLong(24, 1);
        msghdr.setPointer(32, control);
        msghdr.setLong(40, CONTROL_CAPACITY);
        long n;
        while (true) {
            n = LibC.Polling.recvmsg(fd, msghdr, Sockets.MSG_DONTWAIT);
            if (n >= 0) {
                break;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new NetException(what + ": recvmsg", errno);
            }
        }
        received = (int) n;
        nameLength = Math.min(NAME_CAPACITY, msghdr.getInt(8));
        controlLength = (int) Math.min(CONTROL_CAPACITY, msghdr.getLong(40));
        return true;
    }

    /**
     * When the kernel received the datagram last read, on the {@link System#nanoTime} clock: its
     * SO_TIMESTAMPNS stamp (CLOCK_REALTIME, asked for by {@link #setInt}) less the age it has now.
     * The moment of this call instead when it carries none, or its age is negative or above
     * {@link #MAX_STAMP_AGE_NANOS}: a step of the wall clock must not move a VRRP timer by more
     * than that, which an advertisement a moment later corrects.
     */
    long receivedAtNanos() {
        long now = System.nanoTime();
        ByteBuffer ts = cmsg(Sockets.SOL_SOCKET, Sockets.SCM_TIMESTAMPNS);
        if (ts == null || ts.remaining() < TIMESPEC_LEN) {
            return now;
        }
        Instant wall = Instant.now();
        long age = wall.getEpochSecond() * NANOS_PER_SECOND + wall.getNano()
                - (ts.getLong(0) * NANOS_PER_SECOND + ts.getLong(8));
        return age < 0 || age > MAX_STAMP_AGE_NANOS ? now : now - age;
    }

    /** The datagram last read. */
    byte[] data() {
        return data.getByteArray(0, received);
    }

    /** The source address of the datagram last read (sockaddr_in / sockaddr_in6); null for other families. */
    InetAddress source() {
        return SockAddr.decodeInet(name.getByteBuffer(0, NAME_CAPACITY), 0, nameLength);
    }

    /** The raw source sockaddr of the datagram last read (e.g. a sockaddr_ll). */
    ByteBuffer sourceRaw() {
        return name.getByteBuffer(0, nameLength).order(ByteOrder.nativeOrder());
    }

    /** The payload of the control message {@code level}/{@code type} of the datagram last read; null when absent. */
    ByteBuffer cmsg(int level, int type) {
        int at = 0;
        while (at + CMSGHDR_LEN <= controlLength) {
            long len = control.getLong(at);
            if (len < CMSGHDR_LEN || at + len > controlLength) {
                return null;
            }
            if (control.getInt(at + 8) == level && control.getInt(at + 12) == type) {
                return control.getByteBuffer(at + CMSGHDR_LEN, len - CMSGHDR_LEN).order(ByteOrder.nativeOrder());
            }
            at += (int) ((len + 7) & ~7L);  // CMSG_ALIGN
        }
        return null;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // the descriptor is gone either way
            }
        }
    }
}
