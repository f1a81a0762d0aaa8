//! IMET-style training enrollment manager: countries, accounts, catalog,
//! students, nominations and grant funding, as a JSON API and web pages.
pub mod api;
pub mod app;
pub mod bench_data;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entities;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod middleware;
pub mod pdf;
pub mod retry;
pub mod services;
pub mod web;
