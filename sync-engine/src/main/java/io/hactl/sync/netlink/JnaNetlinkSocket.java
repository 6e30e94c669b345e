package io.hactl.sync.netlink;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.sys.LibC;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A real netlink socket, {@code socket(AF_NETLINK, SOCK_RAW, protocol)} through JNA, of any
 * netlink family: {@link #netfilter} for ctnetlink, {@link #route} for rtnetlink. Send and receive
 * go through direct buffers owned by the socket.
 */
public final class JnaNetlinkSocket implements NetlinkSocket {
    /** Large enough for any netlink datagram (dumps are built in skbs of at most 32 KiB). */
    private static final int RECEIVE_CAPACITY = 256 * 1024;
    /** Datagrams one {@link #receiveMany} takes at most, each into a slot of the receive buffer. */
    private static final int SLOTS = 32;
    /** A slot: 8 KiB, for an event datagram (one message, well under 1 KiB). */
    private static final int SLOT = RECEIVE_CAPACITY / SLOTS;
    private static final int MMSGHDR_LEN = 64;   // struct mmsghdr on LP64: struct msghdr (56), msg_len, padding
    private static final int MSG_IOV = 16;       // offsets in struct msghdr
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;       // offset of msg_len in struct mmsghdr
    private static final int IOVEC_LEN = 16;     // struct iovec: base, length

    private final int fd;
    private final int portId;
    private ByteBuffer sendBuffer;
    private Pointer sendPointer;
    private final ByteBuffer receiveBuffer;
    private final Pointer receivePointer;
    /** recvmmsg's {@code struct mmsghdr} array and its iovecs, one per slot; laid out at the first {@link #receiveMany}. */
    private Memory messageVector;
    private volatile boolean closed;

    private JnaNetlinkSocket(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
        this.receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_CAPACITY).order(ByteOrder.nativeOrder());
        this.receivePointer = Native.getDirectBufferPointer(receiveBuffer);
        allocateSendBuffer(64 * 1024);
    }

    /** A NETLINK_NETFILTER socket (nfnetlink: ctnetlink and friends); see {@link #open}. */
    public static JnaNetlinkSocket netfilter(int... groups) throws NetlinkException {
        return open(Netlink.NETLINK_NETFILTER, groups);
    }

    /** A NETLINK_ROUTE socket (rtnetlink: links, addresses, routes); see {@link #open}. */
    public static JnaNetlinkSocket route(int... groups) throws NetlinkException {
        return open(Netlink.NETLINK_ROUTE, groups);
    }

    /**
     * Opens a socket of netlink {@code protocol} (e.g. {@link Netlink#NETLINK_ROUTE}), bound to a
     * kernel-chosen port id and joined to the given multicast groups (1..32; higher ones through
     * {@link #joinGroup}).
     */
    public static JnaNetlinkSocket open(int protocol, int... groups) throws NetlinkException {
        int fd;
        try {
            fd = LibC.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkException("socket(AF_NETLINK, netlink protocol " + protocol + ")", e.getErrorCode());
        }
        try {
            int groupMask = 0;
            for (int g : groups) {
                if (g < 1 || g > 32) {
                    throw new IllegalArgumentException("group " + g + " cannot be bound by mask");
                }
                groupMask |= 1 << (g - 1);
            }
            byte[] addr = sockaddrNl(0, groupMask);
            LibC.bind(fd, addr, addr.length);
            int[] len = {addr.length};
            byte[] bound = new byte[12];
            LibC.getsockname(fd, bound, len);
            int port = ByteBuffer.wrap(bound).order(ByteOrder.nativeOrder()).getInt(4);
            return new JnaNetlinkSocket(fd, port);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new NetlinkException("bind(netlink)", e.getErrorCode());
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** struct sockaddr_nl: family, pad, pid, groups. */
    private static byte[] sockaddrNl(int pid, int groups) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        b.putShort((short) Sockets.AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups);
        return b.array();
    }

    /** The file descriptor, for poll(2) or epoll together with other sockets; reads still go through this object. */
    @Override
    public int fd() {
        return fd;
    }

    @Override
    public int portId() {
        return portId;
    }

    /**
     * Attaches a classic BPF socket filter: {@code ld [12]} (nlmsg_pid, loaded big-endian),
     * {@code jeq #pid} then drop, else accept. An event skb carries one message, so the
     * filter sees each event's origin port.
     */
    @Override
    public boolean dropMessagesFromPort(int portId) throws NetlinkException {
        int loadedPid = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(portId) : portId;
        Memory prog = new Memory(4 * 8);
        ByteBuffer insns = prog.getByteBuffer(0, 32).order(ByteOrder.nativeOrder());
        insn(insns, 0x20, 0, 0, 12);          // BPF_LD | BPF_W | BPF_ABS: A = ntohl(*(u32 *)(pkt + 12))
        insn(insns, 0x15, 1, 0, loadedPid);   // BPF_JMP | BPF_JEQ | BPF_K: A == pid ? skip 1 : next
        insn(insns, 0x06, 0, 0, 0xffffffff);  // BPF_RET | BPF_K: accept the whole message
        insn(insns, 0x06, 0, 0, 0);           // BPF_RET | BPF_K: drop
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; } on LP64
        ByteBuffer fprog = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        fprog.putShort(0, (short) 4);
        fprog.putLong(8, Pointer.nativeValue(prog));
        try {
            LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_ATTACH_FILTER, fprog.array(), 16);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt(SO_ATTACH_FILTER)", e.getErrorCode());
        }
        return true;
    }

    private static void insn(ByteBuffer b, int code, int jt, int jf, int k) {
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }

    @Override
    public void leaveGroup(int group) throws NetlinkException {
        setIntOption(Netlink.SOL_NETLINK, Netlink.NETLINK_DROP_MEMBERSHIP, group, "setsockopt(NETLINK_DROP_MEMBERSHIP " + group + ")");
    }

    @Override
    public void joinGroup(int group) throws NetlinkException {
        setIntOption(Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group, "setsockopt(NETLINK_ADD_MEMBERSHIP " + group + ")");
    }

    @Override
    public void setNetlinkOption(int option, boolean enabled) throws NetlinkException {
        setIntOption(Netlink.SOL_NETLINK, option, enabled ? 1 : 0, "setsockopt(SOL_NETLINK " + option + ")");
    }

    @Override
    public int setReceiveBufferSize(int bytes) throws NetlinkException {
        try {
            setIntOption(Sockets.SOL_SOCKET, Sockets.SO_RCVBUFFORCE, bytes, "setsockopt(SO_RCVBUFFORCE)");
        } catch (NetlinkException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            setIntOption(Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, bytes, "setsockopt(SO_RCVBUF)");
        }
        return receiveBufferSize();
    }

    @Override
    public int receiveBufferSize() throws NetlinkException {
        byte[] v = new byte[4];
        int[] len = {4};
        try {
            LibC.getsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, v, len);
        } catch (LastErrorException e) {
            throw new NetlinkException("getsockopt(SO_RCVBUF)", e.getErrorCode());
        }
        return ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt();
    }

    /** Also enlarges the send buffer, so that large batches go out in one call. */
    public void setSendBufferSize(int bytes) throws NetlinkException {
        try {
            setIntOption(Sockets.SOL_SOCKET, Sockets.SO_SNDBUFFORCE, bytes, "setsockopt(SO_SNDBUFFORCE)");
        } catch (NetlinkException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            setIntOption(Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, bytes, "setsockopt(SO_SNDBUF)");
        }
    }

    @Override
    public void setReceiveTimeout(Duration timeout) throws NetlinkException {
        // struct timeval { long tv_sec; long tv_usec; } on LP64
        ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        tv.putLong(timeout.toSeconds()).putLong(timeout.toNanosPart() / 1000);
        try {
            LibC.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, tv.array(), 16);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt(SO_RCVTIMEO)", e.getErrorCode());
        }
    }

    @Override
    public void send(ByteBuffer messages) throws NetlinkException {
        ensureOpen("send");
        int len = messages.remaining();
        if (len > sendBuffer.capacity()) {
            allocateSendBuffer(Integer.highestOneBit(len) << 1);
        }
        sendBuffer.clear();
        sendBuffer.put(messages);
        try {
            long sent = LibC.send(fd, sendPointer, len, 0);
            if (sent != len) {
                throw new NetlinkException("send", Errno.EIO, "short send " + sent + " of " + len + " bytes");
            }
        } catch (LastErrorException e) {
            throw new NetlinkException("send", e.getErrorCode(), len + " bytes");
        }
    }

    @Override
    public void receive(ByteBuffer into) throws NetlinkException {
        if (!receive(into, Sockets.MSG_TRUNC)) {
            throw new NetlinkException("recv", Errno.EAGAIN, "nothing queued within the receive timeout");
        }
    }

    @Override
    public boolean receiveNow(ByteBuffer into) throws NetlinkException {
        return receive(into, Sockets.MSG_TRUNC | Sockets.MSG_DONTWAIT);
    }

    /** One datagram into {@code into}; false on EAGAIN (nothing queued, or the receive timeout passed). */
    private boolean receive(ByteBuffer into, int flags) throws NetlinkException {
        ensureOpen("recv");
        long n;
        while (true) {
            n = LibC.Polling.recv(fd, receivePointer, RECEIVE_CAPACITY, flags);
            if (n >= 0) {
                break;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new NetlinkException("recv", errno);
            }
        }
        if (n > RECEIVE_CAPACITY) {
            throw new NetlinkException("recv", Errno.EMSGSIZE, "datagram of " + n + " bytes truncated");
        }
        if (n > into.capacity()) {
            throw new NetlinkException("recv", Errno.EMSGSIZE, "datagram of " + n + " bytes exceeds buffer of " + into.capacity());
        }
        receiveBuffer.clear().limit((int) n);
        into.clear();
        into.put(receiveBuffer);
        into.flip();
        into.order(ByteOrder.nativeOrder());
        return true;
    }

    /**
     * One recvmmsg(2) into the receive buffer's slots ({@code MSG_WAITFORONE} when waiting, else
     * {@code MSG_DONTWAIT}), the datagrams then copied to {@code into} back to back.
     */
    @Override
    public int receiveMany(ByteBuffer into, int[] ends, boolean wait) throws NetlinkException {
        ensureOpen("recvmmsg");
        int vlen = Math.min(Math.min(ends.length, SLOTS), Math.max(1, into.capacity() / SLOT));
        Memory vector = messageVector();
        int flags = Sockets.MSG_TRUNC | (wait ? Sockets.MSG_WAITFORONE : Sockets.MSG_DONTWAIT);
        int n;
        while (true) {
            n = LibC.Polling.recvmmsg(fd, vector, vlen, flags, null);
            if (n >= 0) {
                break;
            }
            int errno = Native.getLastError();
            if (errno == Errno.EAGAIN) {
                if (wait) {
                    throw new NetlinkException("recvmmsg", Errno.EAGAIN, "nothing queued within the receive timeout");
                }
                into.clear().flip();
                return 0;
            }
            if (errno != Errno.EINTR) {
                throw new NetlinkException("recvmmsg", errno);
            }
        }
        into.clear();
        for (int i = 0; i < n; i++) {
            long header = (long) i * MMSGHDR_LEN;
            int length = vector.getInt(header + MSG_LEN);
            if (length > SLOT || (vector.getInt(header + MSG_FLAGS) & Sockets.MSG_TRUNC) != 0) {
                throw new NetlinkException("recvmmsg", Errno.EMSGSIZE, "datagram of " + length + " bytes truncated");
            }
            if (length > into.remaining()) {
                throw new NetlinkException("recvmmsg", Errno.EMSGSIZE, "datagrams of " + (into.position() + length)
                        + " bytes exceed buffer of " + into.capacity());
            }
            into.put(receiveBuffer.slice(i * SLOT, length));
            ends[i] = into.position();
        }
        into.flip();
        into.order(ByteOrder.nativeOrder());
        return n;
    }

    /** The mmsghdr array: slot i's header points at iovec i, which points at the receive buffer's slot i. */
    private Memory messageVector() {
        if (messageVector == null) {
            Memory m = new Memory((long) SLOTS * (MMSGHDR_LEN + IOVEC_LEN));
            m.clear();
            long base = Pointer.nativeValue(receivePointer);
            for (int i = 0; i < SLOTS; i++) {
                long iov = (long) SLOTS * MMSGHDR_LEN + (long) i * IOVEC_LEN;
                m.setLong(iov, base + (long) i * SLOT);
                m.setLong(iov + 8, SLOT);
                long header = (long) i * MMSGHDR_LEN;
                m.setLong(header + MSG_IOV, Pointer.nativeValue(m) + iov);
                m.setLong(header + MSG_IOVLEN, 1);
            }
            messageVector = m;
        }
        return messageVector;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }

    private void setIntOption(int level, int option, int value, String what) throws NetlinkException {
        ensureOpen(what);
        try {
            LibC.setIntSockopt(fd, level, option, value);
        } catch (LastErrorException e) {
            throw new NetlinkException(what, e.getErrorCode());
        }
    }

    private void allocateSendBuffer(int capacity) {
        sendBuffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
        sendPointer = Native.getDirectBufferPointer(sendBuffer);
    }

    private void ensureOpen(String what) throws NetlinkException {
        if (closed) {
            throw new NetlinkException(what, Errno.EBADF, "socket closed");
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the descriptor is gone either way
        }
    }
}
