/** The Account Manager's e-mails, composed the same way by the central service and the console. */
export * from './compose';
export * from './credit-words';
