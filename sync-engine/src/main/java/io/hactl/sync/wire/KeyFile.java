package io.hactl.sync.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The pre-shared sync key: a file holding the key as hexadecimal (at least 128 bits; {@code hactl
 * keygen} writes 256). hactl refuses a key file that is missing, empty, too short, not hex, or
 * that anyone but its owner can read or write — a key others can read authenticates nothing.
 */
public final class KeyFile {
    /** Fewest key bytes accepted. */
    public static final int MIN_BYTES = 16;
    /** Key bytes {@link #generate} writes. */
    public static final int GENERATED_BYTES = 32;

    private KeyFile() {}

    /** Thrown with a message an administrator can act on. */
    public static final class KeyFileException extends Exception {
        public KeyFileException(String message) {
            super(message);
        }
    }

    public static byte[] load(Path path) throws KeyFileException {
        String content;
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(path)) {
                    throw new KeyFileException("sync key file " + path + " is not a regular file");
                }
                throw new KeyFileException("sync key file " + path + " does not exist (create one with 'hactl keygen "
                        + path + "' and copy it to the peer)");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            for (PosixFilePermission p : perms) {
                if (p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE) {
                    throw new KeyFileException("sync key file " + path + " is accessible by others (mode "
                            + modeString(perms) + "): run 'chmod 600 " + path + "'");
                }
            }
            content = Files.readString(path, StandardCharsets.US_ASCII).strip();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new KeyFileException("sync key file " + path + " is not text (a binary file?): it must hold the key"
                    + " in hexadecimal, as 'hactl keygen' writes it");
        } catch (NoSuchFileException e) {
            throw new KeyFileException("sync key file " + path + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new KeyFileException("cannot read sync key file " + path + ": " + e.getMessage());
        }
        if (content.isEmpty()) {
            throw new KeyFileException("sync key file " + path + " is empty");
        }
        byte[] key;
        try {
            key = HexFormat.of().parseHex(content);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("sync key file " + path + " must hold the key in hexadecimal: "
                    + e.getMessage());
        }
        if (key.length < MIN_BYTES) {
            throw new KeyFileException("sync key in " + path + " has " + key.length * 8 + " bits; at least "
                    + MIN_BYTES * 8 + " are required");
        }
        return key;
    }

    /** Writes a fresh random key, readable by its owner only. Refuses to overwrite. */
    public static void generate(Path path) throws IOException {
        byte[] key = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(key);
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        try {
            Files.writeString(tmp, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, path); // fails if the target exists: never overwrite a pair's key
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Short fingerprint to compare the keys of both gateways without showing them. */
    public static String fingerprint(byte[] key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String modeString(Set<PosixFilePermission> perms) {
        return java.nio.file.attribute.PosixFilePermissions.toString(perms);
    }
}
