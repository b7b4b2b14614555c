package io.heliograph.protocol;

/** Size limits are in bytes on the wire; Java strings count UTF-16 units. */
public final class Utf8 {

    private Utf8() {
    }

    /** Bytes of {@code text} encoded as UTF-8, without encoding it. */
    public static long encodedLength(CharSequence text) {
        long bytes = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Decodes UTF-8 strictly: answers null for bytes that are not valid UTF-8 (a truncated or overlong sequence, a
     * surrogate, a byte that never occurs), where {@code new String(bytes, UTF_8)} would put U+FFFD in silently.
     */
    public static String decodeStrict(byte[] bytes) {
        String lenient = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        if (lenient.indexOf('\uFFFD') < 0) {
            return lenient; // no replacement was needed, so the bytes were valid
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** True when {@code text} takes more than {@code limit} bytes; cheap when the length alone decides. */
    public static boolean exceeds(CharSequence text, long limit) {
        if (text.length() > limit) {
            return true;
        }
        if ((long) text.length() * 3 <= limit) {
            return false;
        }
        return encodedLength(text) > limit;
    }
}
