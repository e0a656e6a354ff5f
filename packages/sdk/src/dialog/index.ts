// Session warning dialog entry point: written in the session-management work (issue 5).
export {};
