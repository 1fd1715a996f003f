package dev.pgferry.preflight;

/** One pre-flight check: a stable id, its level, what was seen, and the fix in one sentence. */
public record Check(String id, Level level, String message, String fix) {

    public enum Level {
        OK, WARN, BLOCK
    }

    public static Check ok(String id, String message) {
        return new Check(id, Level.OK, message, null);
    }

    public static Check warn(String id, String message, String fix) {
        return new Check(id, Level.WARN, message, fix);
    }

    public static Check block(String id, String message, String fix) {
        return new Check(id, Level.BLOCK, message, fix);
    }

    public boolean blocks() {
        return level == Level.BLOCK;
    }
}
