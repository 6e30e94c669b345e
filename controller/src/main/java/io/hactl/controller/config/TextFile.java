package io.hactl.controller.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a configuration file as UTF-8 text, saying where and why when it is not text. */
final class TextFile {
    private TextFile() {}

    /** Not UTF-8 text: the message says what and at which byte. */
    static final class NotTextException extends CharacterCodingException {
        private final String message;

        NotTextException(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    static String read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new NotTextException("is not a text file (a NUL byte at offset " + i + "): a binary file, not YAML");
            }
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new NotTextException("is not UTF-8 text (byte 0x" + String.format("%02x", bytes[in.position()] & 0xff)
                    + " at offset " + in.position() + ", line " + line + "): a binary file, or saved in another encoding");
        }
        d.flush(out);
        return out.flip().toString();
    }
}
