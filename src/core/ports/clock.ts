/** Milliseconds since the epoch; tests inject their own. */
export type Clock = () => number
