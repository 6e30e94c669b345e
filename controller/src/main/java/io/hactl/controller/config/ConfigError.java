package io.hactl.controller.config;

/** One problem in the configuration: the key path, its line (0 when unknown) and what is wrong. */
public record ConfigError(String path, int line, String message) {
    @Override
    public String toString() {
        return (line > 0 ? "line " + line + ": " : "") + path + ": " + message;
    }
}
