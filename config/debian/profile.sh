# ctrd.sh in /etc/profile.d (package ctrd, config/debian/profile.sh): ctrctl of a member of
# the group "ctrd" talks to the system's ctrd (/run/ctrd/ctrd.sock) instead of the user's
# own socket. Set CTRD_SOCKET yourself to choose another; delete this file to turn it off.
if [ -z "${CTRD_SOCKET:-}" ] && [ "$(id -u)" -ne 0 ] && [ -S /run/ctrd/ctrd.sock ]; then
  case " $(id -nG 2>/dev/null) " in
    *" ctrd "*) export CTRD_SOCKET=/run/ctrd/ctrd.sock ;;
  esac
fi
