package io.heliograph.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The admin token: 401 without one, 403 with a wrong one, 403 for all when none is configured. */
class AdminAuthTest {

    private final AdminAuth auth = new AdminAuth("s3cret-admin-token-0001");

    @Test
    void theRightBearerTokenIsAllowed() {
        assertTrue(auth.check("Bearer s3cret-admin-token-0001").allowed());
        assertTrue(auth.check("bearer s3cret-admin-token-0001").allowed());
    }

    @Test
    void noTokenIs401() {
        assertEquals(401, auth.check(null).status());
        assertEquals(401, auth.check("").status());
        assertEquals(401, auth.check("Basic dXNlcjpwYXNz").status());
        assertEquals(401, auth.check("Bearer ").status());
    }

    @Test
    void aWrongTokenIs403WhateverItsLength() {
        assertEquals(403, auth.check("Bearer s3cret-admin-token-0002").status());
        assertEquals(403, auth.check("Bearer s3cret").status());
        assertEquals(403, auth.check("Bearer s3cret-admin-token-00011").status());
    }

    @Test
    void aReplicaWithoutATokenRefusesEveryChange() {
        AdminAuth none = new AdminAuth(null);
        assertEquals(403, none.check("Bearer anything-at-all-here").status());
        assertEquals(401, none.check(null).status());
    }
}
