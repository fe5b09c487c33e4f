package dev.surprisal.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Who may read sessions and metrics: anyone, or a caller with the basic credentials or the bearer token. */
final class Access {

    private final byte[] basic;
    private final byte[] bearer;

    /** @param userInfo {@code user:password}, or empty; @param token a bearer token, or empty */
    Access(String userInfo, String token) {
        this.basic = userInfo.isEmpty() ? null
                : ("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8);
        this.bearer = token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    boolean required() {
        return basic != null || bearer != null;
    }

    boolean allows(String authorization) {
        if (!required()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        byte[] given = authorization.strip().getBytes(StandardCharsets.UTF_8);
        // constant-time comparison: the time taken must not tell how much of a guess was right
        return (basic != null && MessageDigest.isEqual(basic, given))
                || (bearer != null && MessageDigest.isEqual(bearer, given));
    }

    String challenge() {
        return basic != null ? "Basic realm=\"surprisal\"" : "Bearer realm=\"surprisal\"";
    }
}
