import { setUserEnabled } from "./admin-disable-user.ts";

export const adminEnableUser = setUserEnabled(true);
