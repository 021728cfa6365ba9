// Cognito's own exception names and the messages its clients show. The wire format is
// `{"__type": name, "message": text}` with HTTP 400 (see server.ts).

export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

const define = (type: string, status = 400) =>
  class extends CognitoError {
    constructor(message: string) {
      super(type, message, status);
    }
  };

export const NotAuthorizedException = define("NotAuthorizedException");
export const UserNotFoundException = define("UserNotFoundException");
export const UsernameExistsException = define("UsernameExistsException");
export const AliasExistsException = define("AliasExistsException");
export const InvalidPasswordException = define("InvalidPasswordException");
export const InvalidParameterException = define("InvalidParameterException");
export const CodeMismatchException = define("CodeMismatchException");
export const ExpiredCodeException = define("ExpiredCodeException");
export const LimitExceededException = define("LimitExceededException");
export const ResourceNotFoundException = define("ResourceNotFoundException");
export const GroupExistsException = define("GroupExistsException");
export const UserNotConfirmedException = define("UserNotConfirmedException");
export const UnsupportedUserStateException = define("UnsupportedUserStateException");
export const PasswordResetRequiredException = define("PasswordResetRequiredException");
export const UnsupportedOperationException = define("UnsupportedOperationException");
export const RefreshTokenReuseException = define("RefreshTokenReuseException");
export const SerializationException = define("SerializationException");
export const UnknownOperationException = define("UnknownOperationException");
export const RequestEntityTooLargeException = define("RequestEntityTooLargeException", 413);
export const InternalErrorException = define("InternalErrorException", 500);

export const incorrectCredentials = () =>
  new NotAuthorizedException("Incorrect username or password.");
export const userDoesNotExist = () => new UserNotFoundException("User does not exist.");
/** What the code flows (ForgotPassword, ConfirmSignUp, ...) say of an unknown user. */
export const noSuchClientUser = () =>
  new UserNotFoundException("Username/client id combination not found.");
export const poolNotFound = (id: string) =>
  new ResourceNotFoundException(`User pool ${id} does not exist.`);
export const clientNotFound = (id: string) =>
  new ResourceNotFoundException(`User pool client ${id} does not exist.`);
