package kasio.peer;

/** A failure with a message meant for the caller (printed as the one-line error). */
final class PeerException extends RuntimeException {
    PeerException(String message) {
        super(message);
    }

    PeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
