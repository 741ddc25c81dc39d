/**
 * What the server's WebSocket close codes mean to the person editing. Codes listed here are
 * final: reconnecting cannot help, so the provider stops and the page explains why. Every
 * other close (network loss, a restart, 1011, 4429) is transient and the provider retries.
 */

export interface StopReason {
  code: number
  title: string
  message: string
  /** What the person can do about it. */
  action: 'sign-in' | 'documents' | 'reload'
  /** Whether this browser's offline copy of the document should be erased. */
  forget: boolean
}

const REASONS: Record<number, Omit<StopReason, 'code'>> = {
  4401: {
    title: 'You are signed out',
    message: 'Sign in again to keep editing. Changes you made are kept in this browser and sync once you are back.',
    action: 'sign-in',
    forget: false,
  },
  4403: {
    title: 'Your access was removed',
    message: 'The owner stopped sharing this document with you, so it can no longer be opened here.',
    action: 'documents',
    forget: true,
  },
  4404: {
    title: 'This document is no longer available',
    message: 'It was deleted, or it is no longer shared with you.',
    action: 'documents',
    forget: true,
  },
  4400: {
    title: 'Connection error',
    message: 'The server could not understand this editor. Reload the page to continue.',
    action: 'reload',
    forget: false,
  },
  4413: {
    title: 'A change was too large',
    message: 'The last change was larger than the server accepts (a very large paste?). Reload the page to continue.',
    action: 'reload',
    forget: false,
  },
}

/** The reason to stop for a close code, or null when the provider should reconnect. */
export function stopReason(code: number): StopReason | null {
  const reason = REASONS[code]
  return reason ? { code, ...reason } : null
}

/** The provider's `shouldReconnect`: retry every close but the final ones. */
export function shouldReconnect(event: CloseEvent): boolean {
  return stopReason(event.code) === null
}
